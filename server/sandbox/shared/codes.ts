// The one code generator: every code either API "sends" by SMS or call is n random digits from
// the CSPRNG, leading zeros kept. (Soft tokens' codes are TOTP: totp.ts.)
import { randomInt } from 'node:crypto';

export function randomDigits(n: number): string {
  return String(randomInt(0, 10 ** n)).padStart(n, '0');
}
