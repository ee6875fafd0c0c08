// Attempt limits kept in MongoDB, so every app process shares them. Each attempt is
// one document {key, expiresAt}, inserted before the attempt is made and counted after: the
// window slides, and since an insert is the one write FerretDB v1 makes atomically (its
// conditional updates and $inc can race), concurrent attempts can never get more than `max`
// through. No transaction, so FerretDB works the same as MongoDB.
import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import type { ExpirySpec } from '../db/expiry';
import { HttpError } from '../http/errors';
import { isDatabaseUnavailable } from '../db/availability';
import type { Limit } from '../platform/limits-config';
import { waitText } from '../../common/wait-text';

export const ATTEMPTS_COLLECTION = 'attempts';
export const EXPIRING_COLLECTIONS: readonly ExpirySpec[] = [{ collection: ATTEMPTS_COLLECTION, field: 'expiresAt' }];

interface Attempt {
  _id: string;
  key: string;
  /** Set when the limit counts distinct values (e.g. phone numbers) rather than attempts. */
  value?: string;
  expiresAt: Date;
}

/** The answer past a limit (429, or 503 for the whole service's): it says which limit, and for whom. */
export class LimitReached extends HttpError {
  constructor(
    readonly limit: Limit,
    /** What the limit counts per (a user id, a username key, an address…). */
    readonly key: string,
    status: number,
    message: string,
    headers: Record<string, string>,
    field?: string,
  ) {
    super(status, message, field, headers);
  }
}

/** An attempt that holds a place in its window; `release()` gives the place back. */
export interface Reservation {
  release(): Promise<void>;
  /** Places held in the window, this one included. */
  count: number;
}

export interface ReserveOptions {
  /** Count distinct values in the window instead of attempts: a repeat of a counted value is free. */
  value?: string;
  /** 503 for a limit of the whole service (the client did nothing wrong); 429 otherwise. */
  status?: 429 | 503;
}

export class AttemptLimiter {
  private readonly attempts: Collection<Attempt>;
  private indexed?: Promise<unknown>;

  constructor(
    connection: Connection,
    private readonly now: () => number = Date.now,
    /** Hears of each refusal, by the limit's name (metrics). */
    private readonly onRefusal: (limit: string) => void = () => {},
  ) {
    // The driver's collection: these filters use operators on purpose (mongoose's sanitizeFilter would defuse them).
    this.attempts = connection.collection<Attempt>(ATTEMPTS_COLLECTION);
  }

  /**
   * Takes a place in the window of `limit` for `key`, or throws 429 (taking nothing) when all
   * `max` places are held. Keep the place for an attempt that counts (a send, a failure);
   * release it for one that does not (a success).
   */
  async reserve(limit: Limit, key: string, options: ReserveOptions = {}): Promise<Reservation> {
    this.indexed ??= this.attempts.createIndex({ key: 1, expiresAt: 1 });
    await this.indexed;
    const now = this.now();
    const fullKey = `${limit.name}:${key}`;
    const _id = randomUUID();
    const { value, status = 429 } = options;
    await this.attempts.insertOne({
      _id,
      key: fullKey,
      expiresAt: new Date(now + limit.windowMs),
      ...(value === undefined ? {} : { value }),
    });
    const release = async () => {
      await this.attempts.deleteOne({ _id });
    };
    const live = this.live(fullKey, now);
    const count = value === undefined ? await this.attempts.countDocuments(live) : (await this.attempts.distinct('value', live)).length;
    if (count > limit.max) {
      this.onRefusal(limit.name);
      await release();
      throw await this.refusal(limit, key, now, status);
    }
    return { release, count };
  }

  private live(fullKey: string, now: number) {
    return { key: fullKey, expiresAt: { $gt: new Date(now) } };
  }

  /** "Too many wrong codes. Try again in 15 minutes." with Retry-After: when the oldest place frees up. */
  private async refusal(limit: Limit, key: string, now: number, status: 429 | 503 = 429): Promise<LimitReached> {
    const oldest = await this.attempts
      .find(this.live(`${limit.name}:${key}`, now))
      .sort({ expiresAt: 1 })
      .limit(1)
      .next();
    const seconds = Math.max(1, Math.ceil(((oldest?.expiresAt.getTime() ?? now + limit.windowMs) - now) / 1000));
    return new LimitReached(limit, key, status, `${limit.refusal}. Try again in ${waitText(seconds)}.`, { 'Retry-After': String(seconds) });
  }

  /**
   * Refuses, as the next attempt would be, while every place of `limit` for `key` is held: so no
   * SMS or call is sent for a code that could not be checked.
   */
  async refuseWhileFull(limit: Limit, key: string): Promise<void> {
    const now = this.now();
    const fullKey = `${limit.name}:${key}`;
    if ((await this.attempts.countDocuments(this.live(fullKey, now))) < limit.max) return;
    this.onRefusal(limit.name);
    throw await this.refusal(limit, key, now);
  }

  /**
   * The answer to a wrong password or code that was counted: `sentence`, then a warning when one
   * try is left, or the lock when none is, in the window of `places` with the fewest left.
   */
  async wrongAnswer(places: readonly (readonly [Limit, string])[], sentence: string, field?: string): Promise<HttpError> {
    const now = this.now();
    const left = await Promise.all(
      places.map(async ([limit, key]) => {
        const fullKey = `${limit.name}:${key}`;
        return { limit, key, left: limit.max - (await this.attempts.countDocuments(this.live(fullKey, now))) };
      }),
    );
    const nearest = left.reduce((a, b) => (b.left < a.left ? b : a));
    if (nearest.left === 1) {
      const lock = waitText(nearest.limit.windowMs / 1000).replace(/ (minute|hour)s?$/, '-$1');
      return new HttpError(401, `${sentence} One try left before a ${lock} lock.`, field);
    }
    if (nearest.left > 0) return new HttpError(401, sentence, field);
    // This answer used the last try: a LimitReached too, so the lock is noticed (the account's activity).
    const lock = await this.refusal(nearest.limit, nearest.key, now);
    return new LimitReached(nearest.limit, nearest.key, 401, `${sentence} ${lock.message}`, {}, field);
  }

  /** Runs `attempt` holding a place; the place is kept only when `counts(result)` says so. */
  async guard<T>(limit: Limit, key: string, attempt: () => Promise<T>, counts: (result: T) => boolean): Promise<T> {
    const place = await this.reserve(limit, key);
    let result: T;
    try {
      result = await attempt();
    } catch (err) {
      // With the database gone the release would only wait for it too (the place expires anyway).
      if (!isDatabaseUnavailable(err)) await place.release();
      throw err;
    }
    if (!counts(result)) await place.release();
    return result;
  }

  /** `guard` with a place in each of several windows, taken in order (the first refusal wins). */
  guardAll<T>(places: readonly (readonly [Limit, string])[], attempt: () => Promise<T>, counts: (result: T) => boolean): Promise<T> {
    const nested = places.reduceRight<() => Promise<T>>(
      (inner, [limit, key]) =>
        () =>
          this.guard(limit, key, inner, counts),
      attempt,
    );
    return nested();
  }
}
