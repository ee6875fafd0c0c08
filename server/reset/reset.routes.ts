// "Forgot password?": a one-time link by email to the address given at registration, then the
// new password through it. The answer to a request is the same whether or not an account has
// the address, and it comes before anything is looked up or mailed, so neither its words nor its
// time tell. Addresses match whatever their case. A reset does not pass the second factor: the SPA
// goes on to /login, every session of the user ends, every remembered browser is forgotten and the
// account's activity notes it (account/'s function, passed in).
// See docs/architecture.md, "Password reset".
import { Router, type Request, type Response } from 'express';
import { PASSWORD_MIN, RESET_LINK_MINUTES } from '../../common/account-rules';
import type { Done, PasswordForgotAnswer, PasswordForgotRequest, PasswordResetRequest } from '../../common/api';
import { emailKey } from '../auth/email-key';
import type { PasswordHasher } from '../auth/password';
import type { UserModel } from '../auth/user.model';
import { requestClock } from '../http/arrival';
import { HttpError } from '../http/errors';
import { bodyOf, requireString, rules } from '../http/validate';
import { LimitReached, type AttemptLimiter } from '../limits/attempt-limiter';
import { clientAddressKey } from '../limits/client-address';
import type { Limits } from '../platform/limits-config';
import type { Logger } from '../platform/logger';
import type { Mailer } from '../platform/mailer';
import type { ResetLinks } from './reset-links';

export interface ResetRoutesDeps {
  users: UserModel;
  links: ResetLinks;
  /** Where the links go out; without one, "Forgot password?" answers 503 (and the SPA hides it). */
  mailer?: Mailer;
  limiter: AttemptLimiter;
  limits: Limits;
  passwords: PasswordHasher;
  logger: Logger;
  /** The links point there (PUBLIC_URL). */
  publicUrl: string;
  /** Every user has its email key once this has succeeded (auth/email-key.ts). */
  usersReady: () => Promise<void>;
  /** Ends every session of the user, forgets every browser remembered for it, and notes the reset (account/). */
  afterReset: (req: Request, userId: string) => Promise<void>;
}

export const RESET_REQUESTED = `If an account has that email address, a link to choose a new password is on its way. It works once, for ${RESET_LINK_MINUTES} minutes.`;
export const RESET_LINK_INVALID = `This link does not work: it was used already, or it is older than ${RESET_LINK_MINUTES} minutes. Ask for a new one.`;
/** Accounts one address may share (registration does not make emails unique): each gets its own link. */
const ACCOUNTS_PER_EMAIL = 5;

function mailText(username: string, link: string): string {
  return [
    `Hello ${username},`,
    '',
    `Someone, hopefully you, asked to choose a new password for your account. Open this link within ${RESET_LINK_MINUTES} minutes; it works once:`,
    '',
    link,
    '',
    'You will still be asked for your second factor when you log in with the new password.',
    'If you did not ask, ignore this email: your password stays as it is.',
  ].join('\n');
}

export function resetRoutes(deps: ResetRoutesDeps): Router {
  const { users, links, limiter, limits, logger } = deps;
  const router = Router();

  /** A link for each account with this email (in any case), to the address it registered, within each account's budget of mails. */
  async function mailLinks(email: string, mailer: Mailer): Promise<void> {
    await deps.usersReady();
    const found = await users
      .find({ emailKey: emailKey(email) }, { username: 1, email: 1 })
      .limit(ACCOUNTS_PER_EMAIL)
      .lean();
    for (const user of found) {
      const userId = String(user._id);
      try {
        await limiter.reserve(limits.resetMailsPerUser, userId);
      } catch (err) {
        if (!(err instanceof LimitReached)) throw err;
        logger.warn({ limit: err.limit.name }, `password reset: no email sent (${err.limit.refusal})`);
        continue;
      }
      const token = await links.issue(userId);
      await mailer.send({
        to: user.email,
        subject: 'Choose a new password',
        text: mailText(user.username, `${deps.publicUrl}/reset-password?token=${token}`),
      });
    }
  }

  // POST /api/password/forgot {email}
  router.post('/password/forgot', async (req: Request, res: Response<PasswordForgotAnswer>) => {
    const email = requireString(bodyOf<PasswordForgotRequest>(req), 'email', rules.email);
    const mailer = deps.mailer;
    if (!mailer) throw new HttpError(503, 'Password reset by email is not set up on this server.');
    // Every request counts, whether or not an account has the address.
    await limiter.reserve(limits.resetRequestsPerIp, clientAddressKey(req));
    res.json({ success: true, message: RESET_REQUESTED });
    mailLinks(email, mailer).catch((err: unknown) => {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, 'password reset: the email could not be sent');
    });
  });

  // POST /api/password/reset {token, password}
  router.post('/password/reset', async (req: Request, res: Response<Done>) => {
    const body = bodyOf<PasswordResetRequest>(req);
    const token = requireString(body, 'token', { label: 'The link', max: 100 });
    const password = requireString(body, 'password', rules.password);
    if (password.length < PASSWORD_MIN) throw new HttpError(400, `Password must be at least ${PASSWORD_MIN} characters.`, 'password');
    // Links that do not work count per address (a link cannot be guessed, but trying costs nothing else).
    const link = await limiter.guard(
      limits.resetFailuresPerIp,
      clientAddressKey(req),
      () => links.check(token),
      (found) => found === null,
    );
    if (!link) throw new HttpError(400, RESET_LINK_INVALID, 'token');
    // The costly hash before the link is used up: a busy hasher's 503 leaves the link working.
    const hashed = await deps.passwords.hash(password, requestClock(req, res));
    if (!(await links.use(link))) throw new HttpError(400, RESET_LINK_INVALID, 'token');
    const { matchedCount } = await users.updateOne({ _id: link.userId }, { $set: { hashed_password: hashed } });
    if (matchedCount !== 1) throw new HttpError(400, RESET_LINK_INVALID, 'token');
    await links.voidAll(link.userId);
    await deps.afterReset(req, link.userId);
    res.json({ success: true });
  });

  return router;
}
