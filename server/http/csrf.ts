// CSRF protection for every state-changing request. The `XSRF-TOKEN` cookie holds an HMAC of the
// session id (AngularJS's $http sends it back as `X-XSRF-TOKEN`); before there is a session
// (login, registration, phone verification) it holds a random value with its own HMAC. A
// token made for one session never passes for another, and a new one is issued whenever the
// session id changes (login, 2FA, logout).
import { createHmac, randomBytes } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import onHeaders from 'on-headers';
import { equalMacs } from '../platform/safe-equal';
import { readCookie } from './cookies';
import { HttpError } from './errors';
import { routedPath } from './routed-path';

export const CSRF_COOKIE = 'XSRF-TOKEN';
export const CSRF_HEADER = 'x-xsrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** POSTs that only read (kept as POST for the original's API): a forged one learns nothing. */
const READ_ONLY_POSTS = new Set(['/api/loggedin', '/api/test']);
/** Tells the SPA that its token was stale; the response carries a fresh one, so it may retry once. */
export const CSRF_REJECTED_HEADER = 'X-XSRF-Rejected';

const mac = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest('base64url');

export interface CsrfOptions {
  secret: string;
  secure: boolean;
  /** A session we wrote (login or a verified phone); anything else is a visitor without one. From the login state, given by the wiring. */
  hasSession: (req: Request) => boolean;
}

export const sessionToken = (secret: string, sessionId: string) => `s.${mac(secret, `session:${sessionId}`)}`;

export function anonymousToken(secret: string, nonce = randomBytes(16).toString('base64url')): string {
  return `a.${nonce}.${mac(secret, `anonymous:${nonce}`)}`;
}

/**
 * Whether a token is valid for this request's session as it is now. The session's token is
 * computed once per session id (a request checks the header and the cookie, before and after
 * its handler), and compared without hashing: its length is public.
 */
function tokenChecker(secret: string, hasSession: CsrfOptions['hasSession'], req: Request): (token: string) => boolean {
  let forSession: { sid: string; token: string } | undefined;
  return (token) => {
    if (hasSession(req)) {
      if (forSession?.sid !== req.sessionID) forSession = { sid: req.sessionID, token: sessionToken(secret, req.sessionID) };
      return equalMacs(token, forSession.token);
    }
    const [kind, nonce, given, ...rest] = token.split('.');
    return kind === 'a' && rest.length === 0 && Boolean(nonce) && Boolean(given) && equalMacs(given, mac(secret, `anonymous:${nonce}`));
  };
}

export function csrfProtection({ secret, secure, hasSession }: CsrfOptions): RequestHandler {
  return (req, res, next) => {
    const cookieToken = readCookie(req.headers.cookie, CSRF_COOKIE);
    const isValidToken = tokenChecker(secret, hasSession, req);
    // Decided when the headers go out, after the handler may have changed the session id.
    onHeaders(res, () => {
      if (cookieToken !== undefined && isValidToken(cookieToken)) return;
      const token = hasSession(req) ? sessionToken(secret, req.sessionID) : anonymousToken(secret);
      res.cookie(CSRF_COOKIE, token, { httpOnly: false, sameSite: 'lax', secure, path: '/' });
    });

    // Every other method on every path needs the token (the signed callback is mounted before this).
    if (SAFE_METHODS.has(req.method) || (req.method === 'POST' && READ_ONLY_POSTS.has(routedPath(req.path)))) return next();
    const headerToken = req.get(CSRF_HEADER);
    if (!headerToken || headerToken !== cookieToken || !isValidToken(headerToken)) {
      return next(
        new HttpError(403, 'The request is missing a valid CSRF token. Reload the page and try again.', undefined, {
          [CSRF_REJECTED_HEADER]: 'true',
        }),
      );
    }
    next();
  };
}
