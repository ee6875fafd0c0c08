// What the account's routes share: the stores, the app's parts they use, the signed-in user, and
// where a request comes from (for the activity log, and the lists of browsers and sessions).
import type { Request } from 'express';
import type { PasswordHasher } from '../auth/password';
import { sessionUser } from '../auth/session-user';
import type { UserModel } from '../auth/user.model';
import { browserName } from '../http/browser-name';
import type { AttemptLimiter } from '../limits/attempt-limiter';
import { clientNetwork } from '../limits/client-address';
import type { SendBudget } from '../limits/send-budget';
import type { Limits } from '../platform/limits-config';
import type { Metrics } from '../metrics/metrics';
import type { Logger } from '../platform/logger';
import type { TwoFactorProvider } from '../providers/provider';
import type { ActivityLog, NewEvent, Origin } from './activity-log';
import type { RecoveryCodes } from './recovery-codes';
import type { RememberedBrowsers } from './remembered-browsers';
import type { UserSessions } from './user-sessions';

export interface AccountDeps {
  users: UserModel;
  provider: TwoFactorProvider;
  limiter: AttemptLimiter;
  limits: Limits;
  sendBudget: SendBudget;
  passwords: PasswordHasher;
  logger: Logger;
  metrics: Metrics;
  /** REMEMBER_BROWSER_DAYS (0: off). */
  rememberBrowserDays: number;
  now: () => number;
}

export interface AccountStores {
  activity: ActivityLog;
  sessions: UserSessions;
  browsers: RememberedBrowsers;
  recovery: RecoveryCodes;
}

/** The browser's short name and the client's network (never the whole address). */
export const originOf = (req: Request): Origin => ({ browser: browserName(req.get('user-agent')), network: clientNetwork(req) });

export type AccountContext = ReturnType<typeof accountContext>;

export function accountContext(deps: AccountDeps, stores: AccountStores) {
  return {
    ...deps,
    ...stores,
    /** The signed-in user; a session whose user is gone is ended, with a 401. */
    currentUser: (req: Request) => sessionUser(req, deps.users),
    /** Adds `event` to the user's activity, from where this request came. */
    record: (req: Request, userId: string, event: NewEvent) => stores.activity.record(userId, event, originOf(req)),
  };
}
