// What every passkey route shares: its dependencies, the relying party, the session's user, the
// fresh check before a change, and the ceremony's challenge. Each challenge lives in the session
// (bound to it and to its login), expires in 5 minutes, and is claimed once (db/claim.ts), so
// even concurrent requests cannot use it twice.
import type { Request, RequestHandler } from 'express';
import { rememberPasskeyChallenge, takePasskeyChallenge, type PasskeyPurpose } from '../auth/login-session';
import { sessionUser } from '../auth/session-user';
import type { UserModel } from '../auth/user.model';
import { HttpError } from '../http/errors';
import type { AttemptLimiter } from '../limits/attempt-limiter';
import type { Limits } from '../platform/limits-config';
import type { Logger } from '../platform/logger';
import type { Metrics } from '../metrics/metrics';
import type { Refusal } from './ceremonies';
import type { PasskeyRecord, PasskeyStore } from './passkey-store';
import type { RelyingParty } from './relying-party';

export interface PasskeyRoutesDeps {
  users: UserModel;
  passkeys: PasskeyStore;
  limiter: AttemptLimiter;
  limits: Limits;
  /** From PUBLIC_URL; absent when it names an IP address, and passkeys are then off. */
  relyingParty: RelyingParty | undefined;
  logger: Logger;
  now: () => number;
  metrics: Metrics;
}

/** A route's handler, answering `Answer` (common/api.ts). */
export type PasskeyHandler<Answer, Params = Record<string, string>> = RequestHandler<Params, Answer>;

/** A challenge is answered within this time, or not at all. */
export const CHALLENGE_LIFETIME_MS = 5 * 60 * 1000;
/** Two assertions at once with one counter value: only one can be the authenticator's. */
export const counterUsedTwice = (counter: number): Refusal => ({
  ok: false,
  kind: 'counter',
  reason: `signature counter ${counter} used twice`,
});

export type PasskeyContext = ReturnType<typeof passkeyContext>;

export function passkeyContext(deps: PasskeyRoutesDeps) {
  const { users, passkeys, logger, now } = deps;
  return {
    ...deps,

    /** The relying party; a 404 while passkeys are off. */
    requireRelyingParty(): RelyingParty {
      if (!deps.relyingParty)
        throw new HttpError(404, 'Passkeys are off: PUBLIC_URL must name a host (such as localhost), not an IP address.');
      return deps.relyingParty;
    },

    currentUser: (req: Request) => sessionUser(req, users),

    offerChallenge: (req: Request, purpose: PasskeyPurpose, options: { challenge: string }) =>
      rememberPasskeyChallenge(req, purpose, options.challenge, now() + CHALLENGE_LIFETIME_MS),

    /** This session's pending challenge for `purpose`, claimed once for good; else a 400. */
    async useChallenge(req: Request, purpose: PasskeyPurpose): Promise<string> {
      const pending = takePasskeyChallenge(req, purpose, now());
      if (!pending) throw new HttpError(400, 'No passkey request is pending (or it expired): please try again.');
      if (!(await passkeys.claimChallenge(pending.challenge, pending.expiresAt))) {
        throw new HttpError(400, 'This passkey request was already answered: please try again.');
      }
      return pending.challenge;
    },

    /** The answer to a refused response; a counter that went back is also worth the operator's attention. */
    refused(refusal: Refusal, passkey?: PasskeyRecord): HttpError {
      if (refusal.kind === 'counter') {
        logger.warn(
          { userId: passkey?.userId, passkey: passkey?.credentialId.slice(0, 12), reason: refusal.reason },
          'passkey refused: its signature counter went backwards (a copied authenticator?)',
        );
      } else {
        logger.info({ kind: refusal.kind, reason: refusal.reason }, 'passkey response refused');
      }
      return refusal.kind === 'invalid'
        ? new HttpError(400, 'This passkey response does not fit this site or this request.')
        : new HttpError(401, 'That passkey could not be verified.');
    },
  };
}
