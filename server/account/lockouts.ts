// Lockouts in the activity log. When an attempt limit of a user refuses (too many wrong codes for
// the user, too many wrong passwords for the username), the error passes here on its way to the
// error handler, and the user's log gets one event per limit window: an attacker who keeps
// knocking on a locked account adds no more than that.
import type { ErrorRequestHandler, Request } from 'express';
import { usernameKey } from '../auth/username-key';
import { LimitReached } from '../limits/attempt-limiter';
import { originOf, type AccountContext } from './account-context';

export function lockoutRecorder(ctx: AccountContext): ErrorRequestHandler {
  const { limits, users, activity, logger, now } = ctx;

  /** The user the refused limit counts for, and what they got wrong; undefined for other limits. */
  async function lockedUser(err: LimitReached): Promise<{ userId: string; what: 'codes' | 'passwords' } | undefined> {
    if (err.limit.name === limits.tokenFailures.name) return { userId: err.key, what: 'codes' };
    // The username's key alone, or "<key>|<address>".
    let key: string | undefined;
    if (err.limit.name === limits.loginFailuresPerUser.name) key = err.key;
    else if (err.limit.name === limits.loginFailures.name) key = err.key.slice(0, err.key.lastIndexOf('|'));
    if (key === undefined) return undefined;
    const user = await users.findOne({ usernameKey: usernameKey(key) }, { _id: 1 }).lean();
    return user ? { userId: String(user._id), what: 'passwords' } : undefined;
  }

  async function note(err: LimitReached, req: Request): Promise<void> {
    const locked = await lockedUser(err);
    if (!locked) return;
    const window = Math.floor(now() / err.limit.windowMs);
    const until = new Date((window + 1) * err.limit.windowMs);
    const onceId = `lockout:${locked.userId}:${locked.what}:${window}`;
    await activity.recordOnce(onceId, until, locked.userId, { type: 'locked-out', what: locked.what }, originOf(req));
  }

  return (err, req, _res, next) => {
    if (!(err instanceof LimitReached)) return next(err);
    note(err, req)
      .catch((failure: unknown) => logger.warn({ err: (failure as Error).message }, 'lockout not recorded'))
      .finally(() => next(err));
  };
}
