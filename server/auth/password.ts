// Password hashes: scrypt with a per-user salt (OWASP: N=2^17, r=8, p=1). The stored form
// carries its parameters, so cheaper test settings and future upgrades verify the same way.
// The original quickstart stored unsalted SHA-256 (base64). Such a hash is accepted and replaced
// at the next login; `npm run upgrade-legacy-hashes` wraps the remaining ones at rest in scrypt
// (`scrypt-sha256$…`: scrypt over the old digest), which is also replaced at the next login.
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { RequestClock } from '../http/arrival';
import { HashQueue } from './hash-queue';
import { safeEqual } from '../platform/safe-equal';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const OWASP_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function scrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // scrypt needs 128*N*r bytes; allow twice that so the default 32 MiB cap does not refuse N=2^17.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

type Scheme = 'scrypt' | 'scrypt-sha256';

async function scryptHash(scheme: Scheme, secret: string, params: ScryptParams): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await scrypt(secret, salt, params);
  return [scheme, params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Returns `scrypt$N$r$p$salt$hash` (base64 parts). */
export function hashPassword(password: string, params: ScryptParams = OWASP_SCRYPT): Promise<string> {
  return scryptHash('scrypt', password, params);
}

/** The original quickstart's format: base64 of an unsalted SHA-256. */
export function legacySha256(password: string): string {
  return createHash('sha256').update(password).digest('base64');
}

const LEGACY_FORMAT = /^[A-Za-z0-9+/]{43}=$/;

/** True for the original quickstart's unsalted SHA-256. */
export const isLegacyHash = (stored: string) => LEGACY_FORMAT.test(stored);

/** A legacy digest wrapped in scrypt, `scrypt-sha256$N$r$p$salt$hash`: salted at rest without the password. */
export async function wrapLegacyHash(digest: string, params: ScryptParams = OWASP_SCRYPT): Promise<string> {
  if (!isLegacyHash(digest)) throw new Error('not a legacy SHA-256 hash');
  return scryptHash('scrypt-sha256', digest, params);
}

export interface VerifyResult {
  ok: boolean;
  /** True when the stored hash is legacy or weaker than `params`: store a fresh hash. */
  needsRehash: boolean;
}

/** Whether checking `stored` runs scrypt (and so takes a hash's time). */
const isScryptHash = (stored: string) => /^scrypt(-sha256)?\$/.test(stored);

export async function verifyPassword(password: string, stored: string, params: ScryptParams = OWASP_SCRYPT): Promise<VerifyResult> {
  const parts = stored.split('$');
  if (parts.length === 6 && (parts[0] === 'scrypt' || parts[0] === 'scrypt-sha256')) {
    const [N, r, p] = parts.slice(1, 4).map(Number);
    const salt = Buffer.from(parts[4], 'base64');
    const expected = Buffer.from(parts[5], 'base64');
    const wrapped = parts[0] === 'scrypt-sha256';
    const actual = await scrypt(wrapped ? legacySha256(password) : password, salt, { N, r, p });
    const ok = actual.length === expected.length && timingSafeEqual(actual, expected);
    return { ok, needsRehash: ok && (wrapped || N < params.N || r < params.r || p < params.p) };
  }
  if (isLegacyHash(stored)) {
    const ok = safeEqual(legacySha256(password), stored);
    return { ok, needsRehash: ok };
  }
  return { ok: false, needsRehash: false };
}

/**
 * The app's password hashing: at most one hash per core at a time (each takes 128 MiB; more at
 * once only adds memory), in a bounded queue (auth/hash-queue.ts). A hash that would end more
 * than `maxQueueMs` after its request arrived is refused with 503 and Retry-After instead of
 * waiting (the queue counts the request's own work before and after the hash too), so an overload is answered quickly and real users can retry, not queue
 * behind junk.
 */
export class PasswordHasher {
  private readonly queue: HashQueue;
  private readonly dummy: Promise<string>;
  readonly concurrency: number;
  /** Settles once one hash was timed, so the queue's estimate holds from the first burst on. */
  readonly calibrated: Promise<void>;

  constructor(
    readonly params: ScryptParams = OWASP_SCRYPT,
    maxQueueMs = 5000,
    concurrency = availableParallelism(),
  ) {
    this.concurrency = Math.max(1, concurrency);
    this.queue = new HashQueue(maxQueueMs, this.concurrency);
    // The dummy hash that burn() checks against doubles as the first measurement.
    this.dummy = this.queue.run(() => hashPassword('not-a-real-password', this.params));
    this.calibrated = this.dummy.then(
      () => undefined,
      () => undefined,
    );
  }

  /** Throws the queue's 503 now if a hash asked for now would be refused (see HashQueue.refuseIfLate). */
  refuseIfBusy(request: RequestClock): void {
    this.queue.refuseIfLate(request);
  }

  hash(password: string, request?: RequestClock): Promise<string> {
    return this.queue.run(() => hashPassword(password, this.params), request);
  }

  async verify(password: string, stored: string, request?: RequestClock): Promise<VerifyResult> {
    const result = await this.queue.run(() => verifyPassword(password, stored, this.params), request);
    // An unsalted SHA-256 (or an unreadable hash) is checked in microseconds: spend a scrypt too,
    // so a wrong password takes as long for such a user as for any other.
    if (!isScryptHash(stored)) await this.burn(password, request);
    return result;
  }

  /**
   * Spends the same time as a real check, so an unknown username is not told apart from a wrong
   * password by the clock.
   */
  async burn(password: string, request?: RequestClock): Promise<void> {
    await this.verify(password, await this.dummy, request);
  }
}
