// Registration, login, logout and the login-state probe.
import { Router, type Request, type Response } from 'express';
import { isDuplicateKey } from '../db/duplicate-key';
import { HttpError } from '../http/errors';
import { landingUrl } from '../http/guards';
import { sessionCookieName } from '../http/session';
import { bodyOf, requirePhone, requireString, rules } from '../http/validate';
import type { AttemptLimiter } from '../limits/attempt-limiter';
import type { Limits } from '../limits/limits';
import type { TwoFactorProvider } from '../providers/provider';
import { endLogin, loginStage, startLogin } from './login-session';
import type { PasswordHasher } from './password';
import type { UserModel } from './user.model';

export interface AuthRoutesDeps {
  users: UserModel;
  provider: TwoFactorProvider;
  limiter: AttemptLimiter;
  limits: Limits;
  passwords: PasswordHasher;
  secureCookies: boolean;
  now: () => number;
}

const MIN_PASSWORD_LENGTH = 8;
const BAD_CREDENTIALS = 'Wrong username or password.';

export function authRoutes({ users, provider, limiter, limits, passwords, secureCookies, now }: AuthRoutesDeps): Router {
  const router = Router();

  // POST /api/user/register
  router.post('/user/register', async (req: Request, res: Response) => {
    const body = bodyOf(req);
    const username = requireString(body, 'username', rules.username);
    const email = requireString(body, 'email', rules.email);
    const password = requireString(body, 'password', rules.password);
    const phone = requirePhone(body);
    if (password.length < MIN_PASSWORD_LENGTH) {
      throw new HttpError(400, `Password must be at least ${MIN_PASSWORD_LENGTH} characters.`, 'password');
    }
    if (await users.exists({ username })) throw new HttpError(409, 'That username is already taken.', 'username');

    // The provider first, then one insert: a refusal or a crash in between leaves no user
    // without its provider's record (FerretDB has no transactions to roll back with).
    const hashed = await passwords.hash(password);
    const record = await provider.register({ username, email, phone });
    let user;
    try {
      user = await users.create({ username, email, hashed_password: hashed, phone: phone.e164, ...record });
    } catch (err) {
      if (isDuplicateKey(err)) throw new HttpError(409, 'That username is already taken.', 'username');
      throw err;
    }
    await startLogin(req, { id: user.id, username }, now());
    res.json({ success: true });
  });

  // POST /api/login
  router.post('/login', async (req: Request, res: Response) => {
    const body = bodyOf(req);
    const username = requireString(body, 'username', { ...rules.username, pattern: undefined });
    const password = requireString(body, 'password', rules.password);
    // Failures count per username+IP and per IP, for known and unknown usernames alike; each
    // attempt holds its places while the password is checked, and gives them back on success.
    const ip = req.ip ?? 'unknown';
    const userKey = `${username.toLowerCase()}|${ip}`;
    const check = async () => {
      const user = await users.findOne({ username });
      if (!user) {
        await passwords.burn(password);
        return null;
      }
      const result = await passwords.verify(password, user.hashed_password);
      return result.ok ? { user, result } : null;
    };
    const failed = (outcome: unknown) => outcome === null;
    const outcome = await limiter.guard(
      limits.loginFailuresPerIp,
      ip,
      () => limiter.guard(limits.loginFailures, userKey, check, failed),
      failed,
    );
    if (!outcome) throw new HttpError(401, BAD_CREDENTIALS);
    const { user, result } = outcome;
    if (result.needsRehash) {
      // The original's unsalted SHA-256 (or a weaker scrypt) is replaced on this login.
      const rehashed = await passwords.hash(password);
      await users.updateOne({ _id: user._id, hashed_password: user.hashed_password }, { $set: { hashed_password: rehashed } });
    }
    await startLogin(req, { id: user.id, username: user.username }, now());
    res.json({ success: true });
  });

  // GET /api/logout
  router.get('/logout', async (req: Request, res: Response) => {
    await endLogin(req);
    res.clearCookie(sessionCookieName(secureCookies), { httpOnly: true, sameSite: 'lax', secure: secureCookies, path: '/' });
    res.json({ success: true });
  });

  // POST /api/loggedIn
  router.post('/loggedIn', (req: Request, res: Response) => {
    res.json({ url: landingUrl(loginStage(req).stage) });
  });

  return router;
}
