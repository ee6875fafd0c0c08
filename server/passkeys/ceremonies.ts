// The two WebAuthn ceremonies through @simplewebauthn/server: options to send the browser, and
// the check of what it sends back. The library throws plain errors of many kinds for input it
// cannot use (bad CBOR, another origin or RP ID, a missing flag); here every throw becomes a
// `refused` result, which the routes answer with a 4xx, never a 500.
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { loadOnce } from '../platform/lazy';
import type { PasskeyRecord, NewPasskey } from './passkey-store';
import type { RelyingParty } from './relying-party';

/** The library, loaded at the first passkey request: many deployments never see one. */
const webauthn = loadOnce(() => import('@simplewebauthn/server'));

/** How long the browser may wait for the person; the server keeps a challenge 5 minutes. */
const BROWSER_TIMEOUT_MS = 60_000;

/**
 * Why a response was not accepted: `invalid` (it does not fit this site or this request, or
 * cannot be read), `unverified` (a signature or attestation that does not check out), or
 * `counter` (a valid signature whose counter did not move forward: the key may have been
 * copied). `reason` is for the log, never sent to the client.
 */
export type Refusal = { ok: false; kind: 'invalid' | 'unverified' | 'counter'; reason: string };

/** The user handle a passkey carries for `userId`: the id itself, so it holds nothing personal. */
export const userHandleOf = (userId: string) => Buffer.from(userId, 'utf8').toString('base64url');

const bytes = (base64url: string) => new Uint8Array(Buffer.from(base64url, 'base64url'));

function refusal(err: unknown): Refusal {
  // The library quotes challenges in its messages; they are single use, but stay out of logs all the same.
  const message = err instanceof Error ? err.message : String(err);
  return { ok: false, kind: 'invalid', reason: message.replace(/[A-Za-z0-9_-]{20,}/g, '…') };
}

export async function registrationOptions(
  rp: RelyingParty,
  user: { id: string; username: string },
  existing: PasskeyRecord[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { generateRegistrationOptions } = await webauthn();
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.username,
    userDisplayName: user.username,
    userID: bytes(userHandleOf(user.id)),
    timeout: BROWSER_TIMEOUT_MS,
    attestationType: 'none',
    // The same authenticator twice is refused by the browser itself.
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    // Discoverable when it can be, so the passkey also signs in without a username.
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
}

export async function checkRegistration(
  rp: RelyingParty,
  response: RegistrationResponseJSON,
  challenge: string,
  userId: string,
): Promise<{ ok: true; passkey: NewPasskey } | Refusal> {
  const { verifyRegistrationResponse } = await webauthn();
  try {
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
    });
    if (!result.verified) return { ok: false, kind: 'unverified', reason: 'the attestation did not verify' };
    const { credential, credentialDeviceType, credentialBackedUp } = result.registrationInfo;
    return {
      ok: true,
      passkey: {
        credentialId: credential.id,
        userId,
        publicKey: Buffer.from(credential.publicKey).toString('base64url'),
        counter: credential.counter,
        transports: credential.transports ?? [],
        synced: credentialDeviceType === 'multiDevice' && credentialBackedUp,
      },
    };
  } catch (err) {
    return refusal(err);
  }
}

export async function authenticationOptions(
  rp: RelyingParty,
  userVerification: 'preferred' | 'required',
  allowed?: PasskeyRecord[],
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { generateAuthenticationOptions } = await webauthn();
  return generateAuthenticationOptions({
    rpID: rp.id,
    timeout: BROWSER_TIMEOUT_MS,
    userVerification,
    allowCredentials: allowed?.map((p) => ({ id: p.credentialId, transports: p.transports })),
  });
}

export type AssertionCheck = { ok: true; counter: number; userVerified: boolean } | Refusal;

/**
 * Checks an assertion against the stored passkey. The counter rule is applied here, after the
 * signature: a counter that does not move forward is refused. 0 means "no counter" (synced
 * passkeys keep none) and passes only while no counter was ever seen: the WebAuthn spec reads
 * 0 after a nonzero counter as a sign of a cloned authenticator. The library checks the counter
 * before the signature, so it is given 0 and never refuses on that account.
 */
export async function checkAssertion(
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  challenge: string,
  passkey: PasskeyRecord,
): Promise<AssertionCheck> {
  const { verifyAuthenticationResponse } = await webauthn();
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: { id: passkey.credentialId, publicKey: bytes(passkey.publicKey), counter: 0, transports: passkey.transports },
      requireUserVerification: false,
    });
  } catch (err) {
    return refusal(err);
  }
  if (!result.verified) return { ok: false, kind: 'unverified', reason: 'the signature did not verify' };
  const { newCounter, userVerified } = result.authenticationInfo;
  // 0 after a counter that moved: a copy of the key, or an authenticator that lost its state.
  if (newCounter === 0 ? passkey.counter !== 0 : newCounter <= passkey.counter) {
    return { ok: false, kind: 'counter', reason: `signature counter ${newCounter} after ${passkey.counter}` };
  }
  return { ok: true, counter: newCounter, userVerified };
}
