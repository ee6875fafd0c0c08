// The account: recovery codes, remembered browsers, the list of sessions, the activity log, and
// the changes of password and phone. createAccount() builds its stores on the app's connection
// and hands start/app.ts what to mount: the routes, the listener of login events
// (auth/login-events.ts), the remembered-browser check for the login route, and the lockout
// recorder, and what a password reset does to the account (reset/). See docs/architecture.md,
// "The account".
import type { Request, Response } from 'express';
import type { Connection } from 'mongoose';
import { ActivityLog, EXPIRING_COLLECTIONS as ACTIVITY } from './activity-log';
import { accountContext, type AccountDeps } from './account-context';
import { accountRoutes } from './account.routes';
import { lockoutRecorder } from './lockouts';
import { accountLoginListener } from './login-listener';
import { RecoveryCodes } from './recovery-codes';
import { EXPIRING_COLLECTIONS as BROWSERS, RememberedBrowsers } from './remembered-browsers';
import { EXPIRING_COLLECTIONS as SESSIONS, UserSessions } from './user-sessions';

export const EXPIRING_COLLECTIONS = [...ACTIVITY, ...BROWSERS, ...SESSIONS];

export function createAccount(connection: Connection, deps: AccountDeps & { secureCookies: boolean }) {
  const browsers = new RememberedBrowsers(connection, { days: deps.rememberBrowserDays, secure: deps.secureCookies, now: deps.now });
  const sessions = new UserSessions(connection);
  const ctx = accountContext(deps, {
    activity: new ActivityLog(connection, deps.now),
    sessions,
    browsers,
    recovery: new RecoveryCodes(connection, deps.now),
  });
  return {
    routes: accountRoutes(ctx),
    listener: accountLoginListener(ctx),
    /** After the right password: whether this browser is remembered for the user (auth.routes.ts). */
    recognisedBrowser: (req: Request, res: Response, userId: string) => browsers.recognises(req, res, userId),
    recordLockouts: lockoutRecorder(ctx),
    /** After a password reset: every session ends (at any stage, in every worker), every remembered browser is forgotten, and the activity says so. */
    afterPasswordReset: async (req: Request, userId: string) => {
      const ended = await sessions.endAll(userId);
      const forgotten = await browsers.forgetAll(userId);
      await ctx.record(req, userId, { type: 'password-reset', sessions: ended, browsers: forgotten });
    },
  };
}
