// Passkeys (WebAuthn): enrolment and management after 2FA, a passkey as the second factor, and
// sign-in with a passkey alone. Each ceremony's challenge lives in the session (bound to it and
// to its login), expires in 5 minutes, and is claimed once (db/claim.ts), so even concurrent
// requests cannot use it twice. See README, "Passkeys", and docs/architecture.md.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { MAX_PASSKEY_NAME_LENGTH, MAX_PASSKEYS, RECHECK_FIELD, type PasskeyList } from '../../common/passkey-info';
import {
  lastSecondFactorCheck,
  passSecondFactor,
  rememberPasskeyChallenge,
  startPasskeyLogin,
  takePasskeyChallenge,
  type PasskeyPurpose,
} from '../auth/login-session';
import { sessionUser } from '../auth/session-user';
import type { UserModel } from '../auth/user.model';
import { HttpError } from '../http/errors';
import { requireLoginApi, requireTwoFactorApi } from '../http/guards';
import { bodyOf, requireString } from '../http/validate';
import type { AttemptLimiter } from '../limits/attempt-limiter';
import { clientAddressKey } from '../limits/client-address';
import type { Limits } from '../limits/limits';
import type { Logger } from '../logger';
import type { Metrics, PasskeyCeremony } from '../metrics/metrics';
import { authenticationOptions, checkAssertion, checkRegistration, registrationOptions, userHandleOf, type Refusal } from './ceremonies';
import { summaryOf, tooManyPasskeys, type PasskeyRecord, type PasskeyStore } from './passkey-store';
import type { RelyingParty } from './relying-party';
import { authenticationResponse, registrationResponse } from './response-shape';

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

/** A challenge is answered within this time, or not at all. */
export const CHALLENGE_LIFETIME_MS = 5 * 60 * 1000;
/** Adding or removing a passkey needs a second-factor check at most this long ago. */
export const FRESH_CHECK_MS = 5 * 60 * 1000;

const NAME_RULE = {
  label: 'Name',
  max: MAX_PASSKEY_NAME_LENGTH,
  pattern: /^[^\p{Cc}]+$/u,
  patternMessage: 'Name may not contain control characters.',
};
const CREDENTIAL_ID = /^[A-Za-z0-9_-]{1,1400}$/;
const NOT_FOUND = 'No such passkey.';

export function passkeyRoutes(deps: PasskeyRoutesDeps): Router {
  const { users, passkeys, limiter, limits, logger, now, metrics } = deps;
  const router = Router();

  /**
   * Counts how a ceremony's answer went, from its status: success, or a refusal (a 4xx; a limit's
   * 429 counts as a limit refusal, a 5xx as neither). A sign-in is a login too.
   */
  const counted =
    (ceremony: PasskeyCeremony): RequestHandler =>
    (_req, res, next) => {
      res.once('finish', () => {
        const outcome = res.statusCode < 300 ? 'success' : res.statusCode < 500 && res.statusCode !== 429 ? 'failure' : undefined;
        if (!outcome) return;
        metrics.passkeyCeremony(ceremony, outcome);
        if (ceremony === 'sign_in') metrics.login('passkey', outcome);
      });
      next();
    };

  function relyingParty(): RelyingParty {
    if (!deps.relyingParty)
      throw new HttpError(404, 'Passkeys are off: PUBLIC_URL must name a host (such as localhost), not an IP address.');
    return deps.relyingParty;
  }

  const currentUser = (req: Request) => sessionUser(req, users);

  /** Adding or removing a passkey is for someone who proved a second factor just now, not for a stolen session. */
  function requireFreshCheck(req: Request): void {
    const at = lastSecondFactorCheck(req);
    if (at === undefined || now() - at > FRESH_CHECK_MS) {
      throw new HttpError(403, 'Please confirm it is you first, with a passkey or your second factor.', RECHECK_FIELD);
    }
  }

  const offerChallenge = (req: Request, purpose: PasskeyPurpose, options: { challenge: string }) =>
    rememberPasskeyChallenge(req, purpose, options.challenge, now() + CHALLENGE_LIFETIME_MS);

  /** This session's pending challenge for `purpose`, claimed once for good; else a 400. */
  async function useChallenge(req: Request, purpose: PasskeyPurpose): Promise<string> {
    const pending = takePasskeyChallenge(req, purpose, now());
    if (!pending) throw new HttpError(400, 'No passkey request is pending (or it expired): please try again.');
    if (!(await passkeys.claimChallenge(pending.challenge, pending.expiresAt))) {
      throw new HttpError(400, 'This passkey request was already answered: please try again.');
    }
    return pending.challenge;
  }

  /** The answer to a refused response; a counter that went back is also worth the operator's attention. */
  function refused(refusal: Refusal, passkey?: PasskeyRecord): HttpError {
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
  }

  // GET /api/passkeys: the person's passkeys.
  router.get('/', requireTwoFactorApi, async (req: Request, res: Response) => {
    const user = await currentUser(req);
    const body: PasskeyList = { passkeys: (await passkeys.list(user.id)).map(summaryOf), max: MAX_PASSKEYS };
    res.json(body);
  });

  // GET /api/passkeys/available: whether /2fa should offer "Use a passkey".
  router.get('/available', requireLoginApi, async (req: Request, res: Response) => {
    const user = await currentUser(req);
    res.json({ available: deps.relyingParty !== undefined && (await passkeys.count(user.id)) > 0 });
  });

  // POST /api/passkeys/registration/options
  router.post('/registration/options', requireTwoFactorApi, async (req: Request, res: Response) => {
    const rp = relyingParty();
    const user = await currentUser(req);
    requireFreshCheck(req);
    const existing = await passkeys.list(user.id);
    if (existing.length >= MAX_PASSKEYS) throw tooManyPasskeys();
    const options = await registrationOptions(rp, { id: user.id, username: user.username }, existing);
    offerChallenge(req, 'register', options);
    res.json(options);
  });

  // POST /api/passkeys/registration: the browser's RegistrationResponseJSON.
  router.post('/registration', requireTwoFactorApi, counted('register'), async (req: Request, res: Response) => {
    const rp = relyingParty();
    const response = registrationResponse(bodyOf(req));
    const user = await currentUser(req);
    requireFreshCheck(req);
    const challenge = await useChallenge(req, 'register');
    const check = await checkRegistration(rp, response, challenge, user.id);
    if (!check.ok) throw refused(check);
    const record = await passkeys.add(check.passkey);
    res.json({ passkey: summaryOf(record) });
  });

  // PATCH /api/passkeys/:id {name}
  router.patch('/:id', requireTwoFactorApi, async (req: Request<{ id: string }>, res: Response) => {
    const name = requireString(bodyOf(req), 'name', NAME_RULE);
    const user = await currentUser(req);
    const record = CREDENTIAL_ID.test(req.params.id) ? await passkeys.rename(user.id, req.params.id, name) : null;
    if (!record) throw new HttpError(404, NOT_FOUND);
    res.json({ passkey: summaryOf(record) });
  });

  // DELETE /api/passkeys/:id
  router.delete('/:id', requireTwoFactorApi, async (req: Request<{ id: string }>, res: Response) => {
    const user = await currentUser(req);
    requireFreshCheck(req);
    if (!CREDENTIAL_ID.test(req.params.id) || !(await passkeys.remove(user.id, req.params.id))) throw new HttpError(404, NOT_FOUND);
    res.json({ success: true });
  });

  // POST /api/passkeys/authentication/options: a passkey as the second factor (or a fresh check after it).
  router.post('/authentication/options', requireLoginApi, async (req: Request, res: Response) => {
    const rp = relyingParty();
    const user = await currentUser(req);
    const mine = await passkeys.list(user.id);
    if (mine.length === 0) throw new HttpError(404, 'You have no passkey yet.');
    const options = await authenticationOptions(rp, 'preferred', mine);
    offerChallenge(req, 'second-factor', options);
    res.json(options);
  });

  // POST /api/passkeys/authentication: the browser's AuthenticationResponseJSON. Failures count
  // against the same limit as wrong tokens, per user.
  router.post('/authentication', requireLoginApi, counted('second_factor'), async (req: Request, res: Response) => {
    const rp = relyingParty();
    const response = authenticationResponse(bodyOf(req));
    const user = await currentUser(req);
    const challenge = await useChallenge(req, 'second-factor');
    const failure = await limiter.guard(
      limits.tokenFailures,
      user.id,
      async (): Promise<HttpError | null> => {
        // Only this user's passkeys count: another person's cannot complete this login.
        const passkey = await passkeys.find(response.id, user.id);
        if (!passkey) return new HttpError(401, 'That passkey is not registered to this account.');
        const check = await checkAssertion(rp, response, challenge, passkey);
        if (!check.ok) return refused(check, passkey);
        await passkeys.recordUse(passkey, check.counter);
        return null;
      },
      (result) => result !== null,
    );
    metrics.secondFactor('passkey', failure ? 'failure' : 'success');
    if (failure) throw failure;
    await passSecondFactor(req, now());
    res.json({ success: true });
  });

  // POST /api/passkeys/sign-in/options: a sign-in without a username. There is no one to
  // count against but the client address, so every ceremony started counts.
  router.post('/sign-in/options', async (req: Request, res: Response) => {
    const rp = relyingParty();
    await limiter.reserve(limits.passkeySignIns, clientAddressKey(req));
    const options = await authenticationOptions(rp, 'required');
    offerChallenge(req, 'sign-in', options);
    res.json(options);
  });

  // POST /api/passkeys/sign-in: a discoverable passkey with user verification logs straight in.
  router.post('/sign-in', counted('sign_in'), async (req: Request, res: Response) => {
    const rp = relyingParty();
    const response = authenticationResponse(bodyOf(req));
    const challenge = await useChallenge(req, 'sign-in');
    const passkey = await passkeys.find(response.id);
    const claimed = response.response.userHandle;
    if (!passkey || (claimed !== undefined && claimed !== userHandleOf(passkey.userId))) {
      throw new HttpError(401, 'That passkey is not registered here.');
    }
    const check = await checkAssertion(rp, response, challenge, passkey);
    if (!check.ok) throw refused(check, passkey);
    if (!check.userVerified) {
      throw new HttpError(401, 'Signing in with a passkey alone needs its PIN or biometric check. Log in with your password instead.');
    }
    const user = await users.findById(passkey.userId);
    if (!user) throw new HttpError(401, 'That passkey is not registered here.');
    await passkeys.recordUse(passkey, check.counter);
    await startPasskeyLogin(req, { id: user.id, username: user.username }, now());
    res.json({ success: true });
  });

  return router;
}
