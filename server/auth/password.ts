// Password hashes: scrypt with a per-user salt (OWASP: N=2^17, r=8, p=1). The stored form
// carries its parameters, so cheaper test settings and future upgrades verify the same way.
// The original quickstart stored unsalted SHA-256 (base64). Such a hash is accepted and replaced
// at the next login; `npm run upgrade-legacy-hashes` wraps the remaining ones at rest in scrypt
// (`scrypt-sha256$…`: scrypt over the old digest), which is also replaced at the next login.
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { HttpError } from '../http/errors';
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
 * once only adds memory), and a bounded queue. When a new request's hash would end more than
 * `maxQueueMs` after it arrived (its wait for a turn, then the hash itself), it is refused at
 * once with 503 and Retry-After instead of waiting, so an overload is answered quickly and real
 * users can retry, not queue behind junk. The estimate comes from recent hashes; when a burst
 * makes hashing slower than that (the machine is busy), a request whose hash, at its turn,
 * would end past `maxQueueMs` after its arrival is refused then, so no answered request waits
 * and hashes for longer than that by more than a hash's misestimate.
 */
export class PasswordHasher {
  private running = 0;
  private readonly waiting: { start(): void; refuse(): void; deadline: number }[] = [];
  /** Recent time of one hash (moving average), for the queue's estimate. */
  private hashMs?: number;
  private readonly dummy: Promise<string>;
  readonly concurrency: number;
  /** Settles once one hash was timed, so the queue's estimate holds from the first burst on. */
  readonly calibrated: Promise<void>;

  constructor(
    readonly params: ScryptParams = OWASP_SCRYPT,
    private readonly maxQueueMs = 5000,
    concurrency = availableParallelism(),
  ) {
    this.concurrency = Math.max(1, concurrency);
    // The dummy hash that burn() checks against doubles as the first measurement.
    this.dummy = this.inTurn(() => hashPassword('not-a-real-password', this.params));
    this.calibrated = this.dummy.then(
      () => undefined,
      () => undefined,
    );
  }

  hash(password: string): Promise<string> {
    return this.inTurn(() => hashPassword(password, this.params));
  }

  async verify(password: string, stored: string): Promise<VerifyResult> {
    const result = await this.inTurn(() => verifyPassword(password, stored, this.params));
    // An unsalted SHA-256 (or an unreadable hash) is checked in microseconds: spend a scrypt too,
    // so a wrong password takes as long for such a user as for any other.
    if (!isScryptHash(stored)) await this.burn(password);
    return result;
  }

  /**
   * Spends the same time as a real check, so an unknown username is not told apart from a wrong
   * password by the clock.
   */
  async burn(password: string): Promise<void> {
    await this.verify(password, await this.dummy);
  }

  /** How long a hash asked for now would wait for its turn, in ms. */
  queuedMs(): number {
    return this.hashMs === undefined ? 0 : Math.ceil(this.waiting.length / this.concurrency) * this.hashMs;
  }

  /** How long after now a hash asked for now would end: its wait, then the hash, in ms. */
  private endsInMs(): number {
    return this.hashMs === undefined ? 0 : this.queuedMs() + this.hashMs;
  }

  private busy(waitMs: number): HttpError {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return new HttpError(503, `The server is busy. Please try again in ${seconds} seconds.`, undefined, { 'Retry-After': String(seconds) });
  }

  private async inTurn<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      const wait = this.endsInMs();
      if (wait > this.maxQueueMs) throw this.busy(wait);
      await new Promise<void>((start, reject) =>
        this.waiting.push({ start, refuse: () => reject(this.busy(this.queuedMs())), deadline: performance.now() + this.maxQueueMs }),
      );
    } else {
      this.running++;
    }
    const started = performance.now();
    try {
      return await work();
    } finally {
      const now = performance.now();
      const ms = now - started;
      this.hashMs = this.hashMs === undefined ? ms : this.hashMs * 0.8 + ms * 0.2;
      let next = this.waiting.shift();
      // A turn whose hash would end past its request's budget is refused now, not answered late.
      while (next && now + this.hashMs > next.deadline) {
        next.refuse();
        next = this.waiting.shift();
      }
      if (next) next.start();
      else this.running--;
    }
  }
}
