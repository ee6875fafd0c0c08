// Password hashes: scrypt with a per-user salt (OWASP: N=2^17, r=8, p=1). The stored form
// carries its parameters, so cheaper test settings and future upgrades verify the same way.
// The original quickstart stored unsalted SHA-256 (base64); such a hash is accepted once and
// replaced at that login.
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { safeEqual } from '../safe-equal';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const OWASP_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

/**
 * At most one hash per core at a time: each takes 128 MiB, and more at once than there are cores
 * only adds memory (4 in libuv's pool would peak near 600 MB) without adding throughput.
 */
const MAX_CONCURRENT_HASHES = availableParallelism();
let running = 0;
const waiting: (() => void)[] = [];

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function scrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // scrypt needs 128*N*r bytes; allow twice that so the default 32 MiB cap does not refuse N=2^17.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return withHashSlot(
    () =>
      new Promise((resolve, reject) =>
        scryptCb(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))),
      ),
  );
}

/** Returns `scrypt$N$r$p$salt$hash` (base64 parts). */
export async function hashPassword(password: string, params: ScryptParams = OWASP_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await scrypt(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** The original quickstart's format: base64 of an unsalted SHA-256. */
export function legacySha256(password: string): string {
  return createHash('sha256').update(password).digest('base64');
}

const LEGACY_FORMAT = /^[A-Za-z0-9+/]{43}=$/;

export interface VerifyResult {
  ok: boolean;
  /** True when the stored hash is legacy or weaker than `params`: store a fresh hash. */
  needsRehash: boolean;
}

export async function verifyPassword(password: string, stored: string, params: ScryptParams = OWASP_SCRYPT): Promise<VerifyResult> {
  const parts = stored.split('$');
  if (parts.length === 6 && parts[0] === 'scrypt') {
    const [N, r, p] = parts.slice(1, 4).map(Number);
    const salt = Buffer.from(parts[4], 'base64');
    const expected = Buffer.from(parts[5], 'base64');
    const actual = await scrypt(password, salt, { N, r, p });
    const ok = actual.length === expected.length && timingSafeEqual(actual, expected);
    return { ok, needsRehash: ok && (N < params.N || r < params.r || p < params.p) };
  }
  if (LEGACY_FORMAT.test(stored)) {
    const ok = safeEqual(legacySha256(password), stored);
    return { ok, needsRehash: ok };
  }
  return { ok: false, needsRehash: false };
}

const dummyHashes = new Map<string, Promise<string>>();
/**
 * Spends the same time as a real check so an unknown username is not told apart from a wrong
 * password by the clock.
 */
export async function burnPasswordCheck(password: string, params: ScryptParams = OWASP_SCRYPT): Promise<void> {
  const key = `${params.N}/${params.r}/${params.p}`;
  let dummy = dummyHashes.get(key);
  if (!dummy) dummyHashes.set(key, (dummy = hashPassword('not-a-real-password', params)));
  await verifyPassword(password, await dummy, params);
}
