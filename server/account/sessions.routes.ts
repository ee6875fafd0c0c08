// The user's sessions (list, sign one out, sign out the others) and recent activity.
import type { RequestHandler } from 'express';
import type { ActivityList, SessionList } from '../../common/account-api';
import { loginHandle, requireFreshCheck } from '../auth/login-session';
import { HttpError } from '../http/errors';
import type { AccountContext } from './account-context';

/** Handles are 16 random bytes, base64url (login-session.ts). */
const SESSION_HANDLE = /^[A-Za-z0-9_-]{22}$/;

/** GET /api/account/sessions */
export const listSessions =
  (ctx: AccountContext): RequestHandler =>
  async (req, res) => {
    const user = await ctx.currentUser(req);
    res.json({ sessions: await ctx.sessions.list(user.id, req.sessionID) } satisfies SessionList);
  };

/** DELETE /api/account/sessions/:id: signs that session out, in every worker, at its next request. */
export const endSession =
  (ctx: AccountContext): RequestHandler<{ id: string }> =>
  async (req, res) => {
    const user = await ctx.currentUser(req);
    requireFreshCheck(req, 'Sign out a session', ctx.now());
    const { id } = req.params;
    if (id === loginHandle(req)) throw new HttpError(409, 'This is the session you are using: log out instead.');
    const ended = SESSION_HANDLE.test(id) ? await ctx.sessions.endOne(user.id, id) : null;
    if (!ended) throw new HttpError(404, 'No such session (it may have ended already).');
    await ctx.record(req, user.id, { type: 'session-ended', browser: `${ended.browser} (network ${ended.network})` });
    res.json({ success: true });
  };

/**
 * POST /api/account/sessions/end-others: every other session ends, and every remembered browser
 * is forgotten (one of them could be the one a thief used): sign out everywhere but here.
 */
export const endOtherSessions =
  (ctx: AccountContext): RequestHandler =>
  async (req, res) => {
    const user = await ctx.currentUser(req);
    requireFreshCheck(req, 'Sign out other sessions', ctx.now());
    const ended = await ctx.sessions.endAll(user.id, { sessionId: req.sessionID, handle: loginHandle(req) });
    const forgotten = await ctx.browsers.forgetAll(user.id, { req, res });
    await ctx.record(req, user.id, { type: 'other-sessions-ended', count: ended });
    if (forgotten > 0) await ctx.record(req, user.id, { type: 'browsers-forgotten', count: forgotten });
    res.json({ success: true, sessionsEnded: ended, browsersForgotten: forgotten });
  };

/** GET /api/account/activity: the newest events, newest first. */
export const listActivity =
  (ctx: AccountContext): RequestHandler =>
  async (req, res) => {
    const user = await ctx.currentUser(req);
    res.json({ events: await ctx.activity.list(user.id) } satisfies ActivityList);
  };
