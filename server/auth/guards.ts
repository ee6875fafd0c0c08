// Who may see what, read from the login state: API routes answer 401/403, page URLs redirect as
// the original did.
import type { Request, RequestHandler } from 'express';
import type { NextUrl } from '../../common/api';
import { loginStage, verifiedPhone, type LoginStage } from './login-session';
import { HttpError } from '../http/errors';

/** A session we wrote (a login or a verified phone); anything else is a visitor without one. CSRF binds its token to it. */
export const hasSession = (req: Request) => loginStage(req).stage !== 'anonymous' || verifiedPhone(req) !== undefined;

/** The page a visitor belongs on, as POST /api/loggedIn reports it. */
const LANDING: Record<LoginStage, NextUrl> = { anonymous: '/login', password: '/2fa', complete: '/protected' };
export const landingUrl = (stage: LoginStage): NextUrl => LANDING[stage];

export const requireLoginApi: RequestHandler = (req, _res, next) =>
  next(loginStage(req).stage === 'anonymous' ? new HttpError(401, 'Please log in first.') : undefined);

export const requireTwoFactorApi: RequestHandler = (req, _res, next) => {
  const { stage } = loginStage(req);
  if (stage === 'anonymous') return next(new HttpError(401, 'Please log in first.'));
  if (stage === 'password') return next(new HttpError(403, 'Please complete two-factor authentication first.'));
  next();
};

// Page guards (requireLogin, requireLoginAnd2FA, requirePhoneVerification in the original).
export const requireLoginPage: RequestHandler = (req, res, next) =>
  loginStage(req).stage === 'anonymous' ? res.redirect(302, '/login') : next();

/** A page that needs 2FA: the visitor goes to log in (or to /2fa), then comes back to it (`?next=`). */
export const requireTwoFactorPage: RequestHandler = (req, res, next) => {
  const { stage } = loginStage(req);
  const page = req.path.replace(/\/+$/, '');
  return stage === 'complete' ? next() : res.redirect(302, `${landingUrl(stage)}?next=${encodeURIComponent(page)}`);
};

export const requirePhoneVerificationPage: RequestHandler = (req, res, next) =>
  verifiedPhone(req) !== undefined ? next() : res.redirect(302, '/verification');
