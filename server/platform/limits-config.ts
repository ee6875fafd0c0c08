// The attempt limits, their numbers and what a refusal says (once, naming what was limited; the
// wait is added in minutes), read by config.ts; limits/ enforces them. Each is configurable from
// the environment as "<max>/<window>", e.g. LIMIT_TOKEN_FAILURES=5/15m (s, m, h or d); the
// defaults are below. "Per client address" means per IPv4 address, or per IPv6 /64
// (limits/client-address.ts).

/** One limit: at most `max` in any window of `windowMs`; `name` keys its attempts. */
export interface Limit {
  name: string;
  max: number;
  windowMs: number;
  /** What a refusal says, naming what was limited ("Too many wrong codes"); the wait follows. */
  refusal: string;
}

const DEFINITIONS = {
  /** Wrong tokens per user, across all of that user's sessions. */
  tokenFailures: { env: 'LIMIT_TOKEN_FAILURES', name: 'token-failures', value: '5/15m', refusal: 'Too many wrong codes' },
  /** Failed logins per username and client address. */
  loginFailures: { env: 'LIMIT_LOGIN_FAILURES', name: 'login-failures', value: '5/15m', refusal: 'Too many failed logins' },
  /** Failed logins per client address, whatever the username. */
  loginFailuresPerIp: {
    env: 'LIMIT_LOGIN_FAILURES_PER_IP',
    name: 'login-failures-ip',
    value: '100/1d',
    refusal: 'Too many failed logins from your network',
  },
  /** Failed logins per username, whatever the address (so rotating addresses gains nothing). */
  loginFailuresPerUser: {
    env: 'LIMIT_LOGIN_FAILURES_PER_USER',
    name: 'login-failures-user',
    value: '10/15m',
    refusal: 'Too many failed logins for this username',
  },
  /** Registrations per client address (each costs a password hash and a user at the 2FA API: Authy's, or Verify's entity). */
  registrationsPerIp: {
    env: 'LIMIT_REGISTRATIONS_PER_IP',
    name: 'registrations-ip',
    value: '10/1h',
    refusal: 'Too many registrations from your network',
  },
  /** SMS, calls and push requests cost money: one budget per user for all three. */
  sends: { env: 'LIMIT_SENDS_PER_USER', name: 'sends', value: '5/15m', refusal: 'Too many codes and push requests for this account' },
  /** SMS and calls to one phone number, across all accounts, 2FA and phone verification alike. */
  sendsPerNumber: { env: 'LIMIT_SENDS_PER_NUMBER', name: 'sends-number', value: '5/15m', refusal: 'Too many codes sent to this number' },
  /** SMS and calls asked for from one client address. */
  sendsPerIp: { env: 'LIMIT_SENDS_PER_IP', name: 'sends-ip', value: '20/1h', refusal: 'Too many codes asked for from your network' },
  /** Distinct phone numbers one client address may start a phone verification for. */
  numbersPerIp: {
    env: 'LIMIT_NUMBERS_PER_IP',
    name: 'numbers-ip',
    value: '10/1h',
    refusal: 'Too many different numbers verified from your network',
  },
  /** SMS and calls from the whole app: past it, 503 (a warning is logged at 80 %). */
  sendsGlobal: {
    env: 'LIMIT_SENDS_GLOBAL',
    name: 'sends-global',
    value: '1000/1h',
    refusal: 'The app has sent all the codes it may for now',
  },
  /** Wrong phone verification codes per number. */
  phoneFailures: { env: 'LIMIT_PHONE_FAILURES', name: 'phone-failures', value: '5/15m', refusal: 'Too many wrong codes for this number' },
  /** "Forgot password?" requests per client address, whether or not an account has the email. */
  resetRequestsPerIp: {
    env: 'LIMIT_RESET_REQUESTS_PER_IP',
    name: 'reset-requests-ip',
    value: '10/1h',
    refusal: 'Too many password reset requests from your network',
  },
  /** Reset emails per account: past it no mail goes out (the answer stays the same, so it says nothing about the account). */
  resetMailsPerUser: {
    env: 'LIMIT_RESET_MAILS_PER_USER',
    name: 'reset-mails-user',
    value: '3/1h',
    refusal: 'Too many password reset emails for this account',
  },
  /** Reset links refused (used, expired or made up) per client address. */
  resetFailuresPerIp: {
    env: 'LIMIT_RESET_FAILURES_PER_IP',
    name: 'reset-failures-ip',
    value: '10/1h',
    refusal: 'Too many invalid password reset links from your network',
  },
  /** Passkey sign-ins started per client address (they have no username to count against). */
  passkeySignIns: {
    env: 'LIMIT_PASSKEY_SIGNINS_PER_IP',
    name: 'passkey-signins-ip',
    value: '30/15m',
    refusal: 'Too many passkey sign-ins from your network',
  },
} as const;

export type LimitName = keyof typeof DEFINITIONS;
export type Limits = Record<LimitName, Limit>;

/** The environment variable of each limit, for documentation and error messages. */
export const LIMIT_VARIABLES: Record<LimitName, string> = Object.fromEntries(
  Object.entries(DEFINITIONS).map(([key, d]) => [key, d.env]),
) as Record<LimitName, string>;

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "5/15m" → {max: 5, windowMs: 900000}; undefined when the text is not of that form. */
export function parseLimit(text: string): { max: number; windowMs: number } | undefined {
  const m = /^(\d{1,9})\s*\/\s*(\d{1,6})\s*([smhd])$/.exec(text.trim());
  if (!m) return undefined;
  const max = Number(m[1]);
  const windowMs = Number(m[2]) * UNIT_MS[m[3] as keyof typeof UNIT_MS];
  return max >= 1 && windowMs >= 1000 ? { max, windowMs } : undefined;
}

/** Every limit, from `LIMIT_*` variables where set; throws naming the variable of a bad value. */
export function limitsFrom(env: Readonly<Record<string, string | undefined>>): Limits {
  const entries = Object.entries(DEFINITIONS).map(([key, d]) => {
    const text = env[d.env]?.trim() || d.value;
    const parsed = parseLimit(text);
    if (!parsed) throw new Error(`Invalid configuration: ${d.env} must look like 5/15m (a count, "/", a number and s, m, h or d)`);
    return [key, { name: d.name, refusal: d.refusal, ...parsed }];
  });
  return Object.fromEntries(entries) as Limits;
}
