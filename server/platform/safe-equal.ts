// Constant-time string comparison for secrets (signatures, tokens, keys, codes): both sides
// are hashed first, so neither their content nor their length shows in the timing.
import { createHash, timingSafeEqual } from 'node:crypto';

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}
