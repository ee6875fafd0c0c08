// The account's side of auth/login-events.ts: a login that completes is listed (user_sessions)
// and its sign-in logged with how it was made; a new session id is followed; a logout removes the
// listing; the features' security events go to the activity log.
import type { Request } from 'express';
import type { LoginListener } from '../auth/login-events';
import { ABSOLUTE_TIMEOUT_MS, loginHandle, loginStage } from '../auth/login-session';
import { originOf, type AccountContext } from './account-context';

/** This request's complete login: its user and public handle. */
function listedLogin(req: Request): { userId: string; handle: string } | undefined {
  const login = loginStage(req);
  const handle = loginHandle(req);
  return login.stage === 'complete' && handle !== undefined ? { userId: login.userId, handle } : undefined;
}

export function accountLoginListener(ctx: AccountContext): LoginListener {
  const { sessions, activity, logger, now } = ctx;

  /**
   * Once the new session is written and the answer sent: if its listing was deleted meanwhile
   * (signed out at that very moment), the session goes as well (user-sessions.ts, `confirm`).
   */
  const confirmAfterResponse = (req: Request, handle: string) => {
    const sessionId = req.sessionID;
    req.res?.once('finish', () => {
      sessions
        .confirm(handle, sessionId)
        .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'session listing check failed'));
    });
  };

  return {
    async signedIn(req, how) {
      const login = listedLogin(req);
      if (!login) return;
      const origin = originOf(req);
      const at = now();
      await sessions.add(
        { _id: login.handle, userId: login.userId, sessionId: req.sessionID, ...origin, method: how ?? null, signedInAt: new Date(at) },
        new Date(at + ABSOLUTE_TIMEOUT_MS),
      );
      if (how) await activity.record(login.userId, { type: 'signed-in', method: how }, origin);
      confirmAfterResponse(req, login.handle);
    },

    async renewed(req) {
      const login = listedLogin(req);
      if (!login) return;
      await sessions.renew(login.handle, login.userId, req.sessionID);
      confirmAfterResponse(req, login.handle);
    },

    async ending(req) {
      const login = listedLogin(req);
      if (login) await sessions.remove(login.handle, login.userId);
    },

    async record(req, event) {
      const login = loginStage(req);
      if (login.stage !== 'anonymous') await activity.record(login.userId, event, originOf(req));
    },
  };
}
