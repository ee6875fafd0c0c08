// WebAuthn's "relying party" is this site: its RP ID is PUBLIC_URL's host name and the browser
// signs PUBLIC_URL's origin into every response, so a passkey works only here.
import { isIP } from 'node:net';

export interface RelyingParty {
  /** The host name, e.g. 2fa.example.com or localhost. */
  id: string;
  /** The exact origin responses must come from, e.g. https://2fa.example.com. */
  origin: string;
  /** Shown by the browser and the authenticator when a passkey is created. */
  name: string;
}

export const RP_NAME = 'Account Security Quickstart';

/** The relying party of `publicUrl`; undefined for an IP address, which browsers refuse as an RP ID. */
export function relyingPartyOf(publicUrl: string): RelyingParty | undefined {
  const url = new URL(publicUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return undefined;
  return { id: host, origin: url.origin, name: RP_NAME };
}
