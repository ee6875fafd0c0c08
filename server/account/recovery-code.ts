// One recovery code: 80 random bits written as 16 characters of Crockford's base32 in four groups,
// `k7fq-2m9x-vw3h-p8ta` (no i, l, o or u, so nothing reads as another character). Stored only as
// SHA-256 of the user's id and the code. Why a fast hash is enough: with 80 bits, someone holding
// a copy of the database must try 2^80 / 10 codes on average per user, some 10^23 hashes, which
// is out of reach (about 40,000 years at 10^11 hashes a second). A 50-bit code would need a slow
// hash or a secret key: 2^50 SHA-256 is hours on one GPU.
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const SYMBOLS = 16;
const BITS_PER_SYMBOL = 5;

/** A new code, `xxxx-xxxx-xxxx-xxxx`. */
export function newRecoveryCode(): string {
  const bytes = randomBytes((SYMBOLS * BITS_PER_SYMBOL) / 8);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let code = '';
  for (let i = SYMBOLS - 1; i >= 0; i--) code += ALPHABET[Number((bits >> BigInt(i * BITS_PER_SYMBOL)) & 31n)];
  return code.match(/.{4}/g)!.join('-');
}

/**
 * What a person typed, as the 16 characters of a code: any case, with or without spaces and
 * dashes, and o, i and l read as 0, 1 and 1 (as Crockford's base32 does). Undefined when it
 * cannot be a code.
 */
export function normaliseRecoveryCode(typed: string): string | undefined {
  const text = typed.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
  return text.length === SYMBOLS && [...text].every((c) => ALPHABET.includes(c)) ? text : undefined;
}

/** The stored form: SHA-256 (hex) of the user's id and the normalised code; another user's hash differs. */
export function recoveryCodeHash(userId: string, normalised: string): string {
  return createHash('sha256').update(`recovery-code:${userId}:${normalised}`).digest('hex');
}
