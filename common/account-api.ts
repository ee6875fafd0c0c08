// The account page's API (/api/account/…), as the server answers and the SPA reads it: the
// summary, recovery codes, remembered browsers, sessions and recent activity. Nothing here is
// secret: no session id, token, code hash or full IP address ever appears in these answers
// (the recovery codes themselves, once, in the answer that made them).

/** How a login passed its second factor (or skipped it), as the activity log names it. */
export const SIGN_IN_METHODS = ['code', 'push', 'passkey', 'recovery-code', 'passkey-alone', 'remembered-browser'] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

/** Ten codes in a set; each carries 80 random bits, written as 16 characters in four groups. */
export const RECOVERY_CODES_PER_SET = 10;
/** At or below this many codes left, the pages warn. */
export const RECOVERY_CODES_LOW = 2;

/** GET /api/account. */
export interface AccountSummary {
  username: string;
  /** The number codes go to, masked ("+1-XXX-XXX-0100"); null for users the original quickstart saved without one. */
  phone: string | null;
  /** The 2FA API in use: the Authy app enrols itself; Verify's authenticator app is set up here. */
  provider: 'authy' | 'verify';
  /** Verify: an authenticator app waiting for its first code (its QR code can be shown after a fresh check). */
  authenticatorPending: boolean;
  /** Codes left in the current set, and when it was made; null before the first set. */
  recoveryCodes: { remaining: number; total: number; createdAt: string } | null;
  /** REMEMBER_BROWSER_DAYS: how long "Remember this browser" lasts; 0 when it is off. */
  rememberBrowserDays: number;
}

/** POST /api/account/recovery-codes and …/first: the new codes, shown this once. */
export interface NewRecoveryCodes {
  codes: string[];
}

/** POST /api/account/recovery-codes/first when a set exists already: nothing new to show. */
export interface ExistingRecoveryCodes {
  codes: null;
  remaining: number;
}

/** POST /api/account/recovery-codes/use: 2FA passed with a code; how many are left. */
export interface RecoveryCodeUsed {
  success: true;
  remaining: number;
}

/** A browser that skips the second factor (with the right password) until `expiresAt`. */
export interface RememberedBrowser {
  /** A random handle (not the token), the key of DELETE /api/account/browsers/:id. */
  id: string;
  browser: string;
  network: string;
  /** ISO dates: remembered (first used), last used to log in, forgotten automatically. */
  firstUsedAt: string;
  lastUsedAt: string;
  expiresAt: string;
  /** The browser this request came from. */
  current: boolean;
}

/** GET /api/account/browsers. */
export interface RememberedBrowserList {
  browsers: RememberedBrowser[];
}

/** A signed-in session of the user (2FA passed, or skipped on a remembered browser). */
export interface SessionInfo {
  /** A random handle (not the session id), the key of DELETE /api/account/sessions/:id. */
  id: string;
  browser: string;
  network: string;
  /** How it signed in; null for sessions that signed in before sessions were listed. */
  method: SignInMethod | null;
  /** ISO dates; last seen is exact to about a minute. */
  signedInAt: string;
  lastSeenAt: string;
  /** The session this request came from. */
  current: boolean;
}

/** GET /api/account/sessions. */
export interface SessionList {
  sessions: SessionInfo[];
}

export const ACTIVITY_TYPES = [
  'signed-in',
  'locked-out',
  'password-changed',
  'password-reset',
  'phone-changed',
  'authenticator-set-up',
  'authenticator-reset',
  'passkey-added',
  'passkey-removed',
  'recovery-codes-generated',
  'recovery-code-used',
  'browser-remembered',
  'browser-forgotten',
  'browsers-forgotten',
  'session-ended',
  'other-sessions-ended',
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/** One security event, as the account page lists it. */
export interface ActivityEvent {
  /** ISO date. */
  at: string;
  type: ActivityType;
  /** A sentence for people: "Signed in with the password and a passkey". */
  description: string;
  /** Where it came from: a short browser name, and the client's network (never the whole address). */
  browser: string;
  network: string;
}

/** GET /api/account/activity: the last ACTIVITY_SHOWN events, newest first. */
export interface ActivityList {
  events: ActivityEvent[];
}

export const ACTIVITY_SHOWN = 20;
