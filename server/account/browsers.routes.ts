// Remembered browsers: remember this one (right after 2FA), list them, forget one or all.
import type { RequestHandler } from 'express';
import type { RememberedBrowserList } from '../../common/account-api';
import { requireFreshCheck, requireRecentSecondFactor } from '../auth/login-session';
import { HttpError } from '../http/errors';
import { originOf, type AccountContext } from './account-context';
import { BROWSER_HANDLE } from './remembered-browsers';

const NOT_FOUND = 'No such remembered browser.';

/** GET /api/account/browsers */
export const listBrowsers =
  (ctx: AccountContext): RequestHandler =>
  async (req, res) => {
    const user = await ctx.currentUser(req);
    res.json({ browsers: await ctx.browsers.list(req, user.id) } satisfies RememberedBrowserList);
  };

/**
 * POST /api/account/browsers: "Remember this browser", sent by /2fa right after a second factor
 * passed. Not after a login on a remembered browser: that had none.
 */
export const rememberBrowser =
  (ctx: AccountContext): RequestHandler =>
  async (req, res) => {
    if (!ctx.browsers.enabled) throw new HttpError(404, 'Remembering browsers is turned off on this server.');
    const user = await ctx.currentUser(req);
    requireRecentSecondFactor(req, 'Remember this browser', ctx.now());
    const expiresAt = await ctx.browsers.remember(req, res, user.id, originOf(req));
    await ctx.record(req, user.id, { type: 'browser-remembered' });
    res.json({ success: true, expiresAt: expiresAt.toISOString() });
  };

/** DELETE /api/account/browsers/:id */
export const forgetBrowser =
  (ctx: AccountContext): RequestHandler<{ id: string }> =>
  async (req, res) => {
    const user = await ctx.currentUser(req);
    requireFreshCheck(req, 'Forget a remembered browser', ctx.now());
    const browser = BROWSER_HANDLE.test(req.params.id) ? await ctx.browsers.forget(req, res, user.id, req.params.id) : null;
    if (browser === null) throw new HttpError(404, NOT_FOUND);
    await ctx.record(req, user.id, { type: 'browser-forgotten', browser });
    res.json({ success: true });
  };

/** DELETE /api/account/browsers: forgets every one. */
export const forgetAllBrowsers =
  (ctx: AccountContext): RequestHandler =>
  async (req, res) => {
    const user = await ctx.currentUser(req);
    requireFreshCheck(req, 'Forget all remembered browsers', ctx.now());
    const count = await ctx.browsers.forgetAll(user.id, { req, res });
    await ctx.record(req, user.id, { type: 'browsers-forgotten', count });
    res.json({ success: true, forgotten: count });
  };
