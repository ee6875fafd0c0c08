// What SMS and calls may cost. Each one takes a place in every budget it falls under before it
// is made: per user (2FA), per phone number across accounts and purposes, per client address,
// distinct numbers per client address (phone verification), and the whole app's ceiling (a 503,
// with a warning logged once per window at 80 %). A refused or failed send gives its places back.
import type { Connection } from 'mongoose';
import { claimOnce, claimsExpiry, claimsModel } from '../db/claim';
import type { ExpirySpec } from '../db/expiry';
import type { Logger } from '../platform/logger';
import type { AttemptLimiter, Reservation } from './attempt-limiter';
import { LIMIT_VARIABLES, type Limits } from '../platform/limits-config';

const WARNINGS_COLLECTION = 'limit_warnings';
export const EXPIRING_COLLECTIONS: readonly ExpirySpec[] = [claimsExpiry(WARNINGS_COLLECTION)];

/** The share of the global ceiling at which the operator is warned. */
export const WARN_AT = 0.8;

export interface Send {
  /** The number in E.164; unknown for users written by the original quickstart. */
  number?: string;
  /** The client address key (limits/client-address.ts). */
  address: string;
  /** The logged-in user a 2FA code goes to. */
  userId?: string;
  /** Phone verification: anyone can name any number, so distinct numbers per address count too. */
  anyNumber?: boolean;
}

export class SendBudget {
  private readonly warnings;
  /** The last window warned about by this process (the claim makes it once across processes). */
  private warnedWindow = -1;

  constructor(
    connection: Connection,
    private readonly limiter: AttemptLimiter,
    private readonly limits: Limits,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {
    this.warnings = claimsModel(connection, WARNINGS_COLLECTION);
  }

  /** Makes the send holding its places; a send that throws (not sent) gives them back. */
  async guard<T>(send: Send, attempt: () => Promise<T>): Promise<T> {
    const places = await this.reserve(send);
    try {
      return await attempt();
    } catch (err) {
      await releaseAll(places);
      throw err;
    }
  }

  private async reserve(send: Send): Promise<Reservation[]> {
    const { limiter, limits } = this;
    const places: Reservation[] = [];
    try {
      if (send.userId !== undefined) places.push(await limiter.reserve(limits.sends, send.userId));
      if (send.number !== undefined) places.push(await limiter.reserve(limits.sendsPerNumber, send.number));
      places.push(await limiter.reserve(limits.sendsPerIp, send.address));
      if (send.anyNumber && send.number !== undefined) {
        places.push(await limiter.reserve(limits.numbersPerIp, send.address, { value: send.number }));
      }
      const global = await limiter.reserve(limits.sendsGlobal, 'all', { status: 503 });
      places.push(global);
      await this.warnNearCeiling(global.count);
    } catch (err) {
      await releaseAll(places);
      throw err;
    }
    return places;
  }

  private async warnNearCeiling(count: number): Promise<void> {
    const { max, windowMs } = this.limits.sendsGlobal;
    if (count < Math.ceil(max * WARN_AT)) return;
    const window = Math.floor(this.now() / windowMs);
    if (window === this.warnedWindow) return;
    this.warnedWindow = window;
    const expiresAt = new Date((window + 2) * windowMs);
    if (!(await claimOnce(this.warnings, `sends-global:${window}`, expiresAt))) return;
    this.logger.warn(
      { sends: count, max, windowSeconds: windowMs / 1000 },
      `SMS and calls are at ${count} of the ${max} allowed per window (${LIMIT_VARIABLES.sendsGlobal}); ` +
        'past it every send is refused with 503. If this is not real traffic, look for SMS pumping.',
    );
  }
}

const releaseAll = (places: Reservation[]) => Promise.all(places.map((p) => p.release()));
