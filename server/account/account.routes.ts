// The account under /api/account: the routes (URL, guard, handler). Everything is the signed-in
// user's own: no route takes a user id, and every query of a list holds the session's user.
// Reads need 2FA passed; changes also a fresh second factor (in the handlers). The recovery
// code is the exception: it is a second factor, so it is taken at /2fa, after the password.
import { Router } from 'express';
import { requireLoginApi, requireTwoFactorApi } from '../auth/guards';
import type { AccountContext } from './account-context';
import { forgetAllBrowsers, forgetBrowser, listBrowsers, rememberBrowser } from './browsers.routes';
import { accountSummary, changePassword, finishPhoneChange, resetAuthenticator, startPhoneChange } from './profile.routes';
import { firstRecoveryCodes, newRecoveryCodes, useRecoveryCode } from './recovery.routes';
import { endOtherSessions, endSession, listActivity, listSessions } from './sessions.routes';

export function accountRoutes(ctx: AccountContext): Router {
  const router = Router();
  const afterTwoFactor = requireTwoFactorApi;
  router.get('/', afterTwoFactor, accountSummary(ctx));
  router.post('/password', afterTwoFactor, changePassword(ctx));
  router.post('/phone/start', afterTwoFactor, startPhoneChange(ctx));
  router.post('/phone/verify', afterTwoFactor, finishPhoneChange(ctx));
  router.post('/authenticator/reset', afterTwoFactor, resetAuthenticator(ctx));
  router.post('/recovery-codes/first', afterTwoFactor, firstRecoveryCodes(ctx));
  router.post('/recovery-codes', afterTwoFactor, newRecoveryCodes(ctx));
  router.post('/recovery-codes/use', requireLoginApi, useRecoveryCode(ctx));
  router.get('/browsers', afterTwoFactor, listBrowsers(ctx));
  router.post('/browsers', afterTwoFactor, rememberBrowser(ctx));
  router.delete('/browsers', afterTwoFactor, forgetAllBrowsers(ctx));
  router.delete('/browsers/:id', afterTwoFactor, forgetBrowser(ctx));
  router.get('/sessions', afterTwoFactor, listSessions(ctx));
  router.post('/sessions/end-others', afterTwoFactor, endOtherSessions(ctx));
  router.delete('/sessions/:id', afterTwoFactor, endSession(ctx));
  router.get('/activity', afterTwoFactor, listActivity(ctx));
  return router;
}
