// What happens to logins and accounts, told to whoever keeps the record of it. The account
// (server/account/) lists each signed-in session and keeps the activity log; the features below it
// only say what happened, here, without knowing who listens. start/app.ts mounts
// `loginEventsMiddleware` with the account's listener, so every request carries it; a request
// without one (a unit test of a route) tells nobody.
import type { Request, RequestHandler } from 'express';
import type { SignInMethod } from '../../common/account-api';

export type { SignInMethod };

/** An event of the signed-in user's security, for the activity log. */
export type SecurityEvent =
  { type: 'authenticator-set-up' } | { type: 'passkey-added'; name: string } | { type: 'passkey-removed'; name: string };

export interface LoginListener {
  /**
   * This session's login just completed (2FA passed, a passkey or a remembered browser): it is
   * listed from now on. `how` is undefined for a complete login that was not listed yet (one that
   * completed before sessions were listed).
   */
  signedIn(req: Request, how: SignInMethod | undefined): Promise<void>;
  /** This session's complete login just got a new session id (a fresh check). */
  renewed(req: Request): Promise<void>;
  /** This session's login is ending (logout, or its user is gone). */
  ending(req: Request): Promise<void>;
  /** Something the user did to their account's security. */
  record(req: Request, event: SecurityEvent): Promise<void>;
}

const LISTENER = Symbol('login listener');
type WithListener = Request & { [LISTENER]?: LoginListener };

/** Hands `listener` to every request that passes. */
export function loginEventsMiddleware(listener: LoginListener): RequestHandler {
  return (req, _res, next) => {
    (req as WithListener)[LISTENER] = listener;
    next();
  };
}

/** Whoever listens to this request's login events, if anyone. */
export const loginListener = (req: Request): LoginListener | undefined => (req as WithListener)[LISTENER];

/** Tells the activity log about `event` of the signed-in user. */
export async function recordSecurityEvent(req: Request, event: SecurityEvent): Promise<void> {
  await loginListener(req)?.record(req, event);
}
