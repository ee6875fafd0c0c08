// Registration, login, logout and the login-state probe.
import { Router, type Request, type Response } from 'express';
import { PASSWORD_MIN } from '../../common/account-rules';
import type { Done, LoggedIn, LoginAnswer, LoginRequest, RegistrationRequest } from '../../common/api';
import { isDuplicateKey } from '../db/duplicate-key';
import { requestClock } from '../http/arrival';
import { HttpError } from '../http/errors';
import { landingUrl } from './guards';
import { sessionCookieName } from '../http/session';
import { bodyOf, requirePhone, requireString, rules } from '../http/validate';
import type { AttemptLimiter } from '../limits/attempt-limiter';
import { clientAddressKey } from '../limits/client-address';
import type { Limits } from '../platform/limits-config';
import type { Metrics } from '../metrics/metrics';
import type { TwoFactorProvider } from '../providers/provider';
import { endLogin, loginStage, startLogin, startRememberedLogin } from './login-session';
import type { PasswordHasher } from './password';
import type { ProviderRecords, UserModel } from './user.model';
import { emailKey } from './email-key';
import { findByUsername, usernameKey } from './username-key';

export interface AuthRoutesDeps {
  users: UserModel;
  provider: TwoFactorProvider<ProviderRecords>;
  limiter: AttemptLimiter;
  limits: Limits;
  passwords: PasswordHasher;
  secureCookies: boolean;
  now: () => number;
  /** Settles once every user has its username key (auth/username-key.ts). */
  usersReady: () => Promise<void>;
  /** After the right password: whether this browser was remembered for the user (account/), so no second factor is asked. */
  recognisedBrowser?: (req: Request, res: Response, userId: string) => Promise<boolean>;
  metrics: Metrics;
}

/** Sec-Fetch-Site values of a request this site's own page (or the address bar) made. */
const SAME_SITE_FETCH = new Set(['same-origin', 'none']);
const BAD_CREDENTIALS = 'Wrong username or password.';

export function authRoutes(deps: AuthRoutesDeps): Router {
  const { users, provider, limiter, limits, passwords, secureCookies, now, usersReady, metrics } = deps;
  const router = Router();

  // POST /api/user/register
  router.post('/user/register', async (req: Request, res: Response<Done>) => {
    const body = bodyOf<RegistrationRequest>(req);
    const username = requireString(body, 'username', rules.username);
    const email = requireString(body, 'email', rules.email);
    const password = requireString(body, 'password', rules.password);
    const phone = requirePhone(body);
    if (password.length < PASSWORD_MIN) {
      throw new HttpError(400, `Password must be at least ${PASSWORD_MIN} characters.`, 'password');
    }
    // While the password hashes are booked past the budget, a refusal now spares the database.
    const clock = requestClock(req, res);
    passwords.refuseIfBusy(clock);
    await usersReady();
    const key = usernameKey(username);
    if (await users.exists({ usernameKey: key })) throw new HttpError(409, 'That username is already taken.', 'username');

    // Every field is valid: now the costly part, within the address's budget. A registration
    // refused by the busy hasher cost nothing and gives its place back.
    const place = await limiter.reserve(limits.registrationsPerIp, clientAddressKey(req));
    let hashed: string;
    try {
      hashed = await passwords.hash(password, clock);
    } catch (err) {
      await place.release();
      throw err;
    }
    // The provider first, then one insert: a refusal or a crash in between leaves no user
    // without its provider's record (FerretDB has no transactions to roll back with).
    const record = await provider.register({ username, email, phone });
    let user;
    try {
      user = await users.create({
        username,
        usernameKey: key,
        email,
        emailKey: emailKey(email),
        hashed_password: hashed,
        phone: phone.e164,
        ...record,
      });
    } catch (err) {
      if (isDuplicateKey(err)) throw new HttpError(409, 'That username is already taken.', 'username');
      throw err;
    }
    await startLogin(req, { id: user.id, username }, now(), 'registration');
    res.json({ success: true });
  });

  // POST /api/login
  router.post('/login', async (req: Request, res: Response<LoginAnswer>) => {
    const body = bodyOf<LoginRequest>(req);
    const username = requireString(body, 'username', { ...rules.username, pattern: undefined });
    const password = requireString(body, 'password', rules.password);
    // Failures count per username+address, per address and per username, for known and unknown
    // usernames alike; each attempt holds its places while the password is checked, and gives
    // them back on success.
    const address = clientAddressKey(req);
    const key = usernameKey(username);
    const clock = requestClock(req, res);
    // While the password hashes are booked past the budget, a refusal now spares the database
    // (and the attempt counters: a login refused so was no attempt).
    passwords.refuseIfBusy(clock);
    await usersReady();
    const check = async () => {
      const user = await findByUsername(users, username);
      if (!user) {
        await passwords.burn(password, clock);
        return null;
      }
      const result = await passwords.verify(password, user.hashed_password, clock);
      return result.ok ? { user, result } : null;
    };
    const places = [
      [limits.loginFailuresPerIp, address],
      [limits.loginFailuresPerUser, key],
      [limits.loginFailures, `${key}|${address}`],
    ] as const;
    const outcome = await limiter.guardAll(places, check, (result) => result === null);
    metrics.login('password', outcome ? 'success' : 'failure');
    if (!outcome) throw await limiter.wrongAnswer(places, BAD_CREDENTIALS);
    const { user, result } = outcome;
    if (result.needsRehash) {
      // The original's unsalted SHA-256 (bare or wrapped in scrypt), or a weaker scrypt, is replaced on this login.
      const rehashed = await passwords.hash(password, clock);
      await users.updateOne({ _id: user._id, hashed_password: user.hashed_password }, { $set: { hashed_password: rehashed } });
    }
    // The password, on a browser remembered after an earlier 2FA: the login is complete, and the SPA goes on to /protected.
    if (await deps.recognisedBrowser?.(req, res, user.id)) {
      await startRememberedLogin(req, { id: user.id, username: user.username }, now());
      res.json({ success: true, url: landingUrl('complete') });
      return;
    }
    await startLogin(req, { id: user.id, username: user.username }, now());
    res.json({ success: true });
  });

  const logout = async (req: Request, res: Response<Done>) => {
    await endLogin(req);
    res.clearCookie(sessionCookieName(secureCookies), { httpOnly: true, sameSite: 'lax', secure: secureCookies, path: '/' });
    res.json({ success: true });
  };

  // POST /api/logout (with the CSRF token, as every state-changing POST)
  router.post('/logout', logout);

  // GET /api/logout: the original's, for requests from this site only. The session cookie is
  // SameSite=Lax, so it comes along on a link from any site: the browser's Sec-Fetch-Site says
  // where the request started. Without that header (browsers before 2023, curl) it is refused
  // too: POST works everywhere.
  router.get('/logout', async (req: Request, res: Response<Done>) => {
    if (!SAME_SITE_FETCH.has(req.get('sec-fetch-site') ?? '')) {
      throw new HttpError(403, 'Log out with POST /api/logout (and the CSRF token); GET is answered only to this site.');
    }
    await logout(req, res);
  });

  // POST /api/loggedIn: where the session belongs (the original's `url`), and who is signed in
  // (the header shows it), once a password or a passkey was accepted.
  router.post('/loggedIn', (req: Request, res: Response<LoggedIn>) => {
    const login = loginStage(req);
    res.json(login.stage === 'anonymous' ? { url: '/login' } : { url: landingUrl(login.stage), username: login.username });
  });

  return router;
}
