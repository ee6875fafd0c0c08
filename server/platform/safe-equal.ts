// Constant-time string comparison for secrets (signatures, tokens, keys, codes): both sides
// are hashed first, so neither their content nor their length shows in the timing.
import { createHash, timingSafeEqual } from 'node:crypto';

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/**
 * The same for a value we computed whose length is no secret (a MAC of a fixed size, or a token
 * of MACs): lengths compared first, then the content in constant time, without hashing either.
 */
export function equalMacs(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
