/**
 * The secret of an otpauth:// URI, in groups of four ("JBSW Y3DP EHPK 3PXP"), for a person
 * whose phone cannot scan the QR code: authenticator apps take it typed, spaces or not.
 */
export function textKeyOf(otpauthUri: string): string {
  let secret: string | null;
  try {
    secret = new URL(otpauthUri).searchParams.get('secret');
  } catch {
    return '';
  }
  const clean = (secret ?? '').replace(/[^A-Za-z2-7]/g, '').toUpperCase();
  return clean.match(/.{1,4}/g)?.join(' ') ?? '';
}
