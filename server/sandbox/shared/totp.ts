// Soft tokens, for both APIs: RFC 6238 TOTP with SHA-1, 30 s steps, 6 digits, accepted one step
// either side, each step once.
import { generateSecret, generateSync, generateURI, verifySync } from 'otplib';
import type { SandboxContext } from './context';

export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
const ISSUER = 'Account Security Sandbox';

const epochOf = (date: Date) => Math.floor(date.getTime() / 1000);

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function totpAt(secret: string, date: Date): string {
  return generateSync({ secret, epoch: epochOf(date), period: TOTP_PERIOD_S, digits: TOTP_DIGITS, algorithm: 'sha1' });
}

export function totpSecondsLeft(date: Date): number {
  return TOTP_PERIOD_S - (epochOf(date) % TOTP_PERIOD_S);
}

/**
 * The time step `token` belongs to (current ±1) when it is valid and newer than `afterStep`,
 * else null. The caller records the step atomically so that it cannot be used twice.
 */
export function matchTotp(secret: string, token: string, date: Date, afterStep: number): number | null {
  if (!new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(token)) return null;
  try {
    const result = verifySync({
      secret,
      token,
      epoch: epochOf(date),
      epochTolerance: TOTP_PERIOD_S,
      period: TOTP_PERIOD_S,
      digits: TOTP_DIGITS,
      algorithm: 'sha1',
      afterTimeStep: afterStep,
    });
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  } catch {
    return null;
  }
}

/** A soft token as each API keeps it: whose it is, its secret, and the last time step accepted. */
export interface TotpHolder {
  /** Keeps holders' steps apart in the claims. */
  owner: string;
  secret: string;
  lastStep: number;
}

/**
 * Accepts `token` once: the step it belongs to is claimed (a claim has one winner), and so are
 * the two before it, so an older code cannot follow a newer one whatever the interleaving of
 * concurrent requests. Then `saveStep` records the step (for display, and as a first filter:
 * monotonic on MongoDB, best effort on FerretDB). True when the code was accepted.
 */
export async function useTotpCode(
  ctx: Pick<SandboxContext, 'claim' | 'now'>,
  holder: TotpHolder,
  token: string,
  saveStep: (step: number) => Promise<unknown>,
): Promise<boolean> {
  const step = matchTotp(holder.secret, token, ctx.now(), holder.lastStep);
  if (step === null) return false;
  const key = (s: number) => `totp:${holder.owner}:${s}`;
  // A step can be in the ±1 window until two steps after it: keep its claim that long.
  const until = (s: number) => new Date((s + 3) * TOTP_PERIOD_S * 1000);
  if (!(await ctx.claim(key(step), until(step)))) return false;
  await Promise.all([ctx.claim(key(step - 1), until(step - 1)), ctx.claim(key(step - 2), until(step - 2))]);
  await saveStep(step);
  return true;
}

export function otpauthUrl(secret: string, label: string): string {
  return generateURI({ issuer: ISSUER, label, secret, algorithm: 'sha1', digits: TOTP_DIGITS, period: TOTP_PERIOD_S });
}
