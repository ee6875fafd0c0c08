// What a push request says on the phone. Whoever approves it should know where it comes from
// (the browser, and the client's network: never the whole address) and, for a fresh check after
// 2FA, what they are approving; someone who did not ask for it should deny it. A stolen session
// can send push requests too, hoping the owner approves one out of habit.
import type { FreshCheckAction } from '../auth/login-session';
import type { PushRequest } from '../providers/provider';

/** How long a push request waits for an answer on the phone: as long as the SPA polls (client/twofa/push-poller.ts). */
export const PUSH_TTL_SECONDS = 60;

/** A fresh check asked for nothing in particular (the SPA's "Confirm with 2FA" sends the person to /2fa). */
export const CONFIRM_IDENTITY = 'Confirm it is you';

// First match wins: Edge and Opera also say "Chrome", Chrome also says "Safari", Android "Linux", iOS "Mac OS X".
const BROWSERS: readonly (readonly [RegExp, string])[] = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/Chrome\/|\bCriOS\/|\bChromium\//, 'Chrome'], // also HeadlessChrome
  [/\bSafari\//, 'Safari'],
];
const SYSTEMS: readonly (readonly [RegExp, string])[] = [
  [/\bWindows\b/, 'Windows'],
  [/\biPhone|\biPad|\biPod/, 'iOS'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bLinux\b/, 'Linux'],
];

const nameIn = (text: string, table: readonly (readonly [RegExp, string])[]) => table.find(([pattern]) => pattern.test(text))?.[1];

/** "Chrome on Linux" from a User-Agent header: a short name from a fixed list, never the header itself. */
export function browserName(userAgent: string | undefined): string {
  return knownBrowserName(userAgent) ?? 'An unknown browser';
}

/** browserName, or undefined when the browser is none of the list. */
export function knownBrowserName(userAgent: string | undefined): string | undefined {
  const ua = (userAgent ?? '').slice(0, 512);
  const browser = nameIn(ua, BROWSERS);
  if (!browser) return undefined;
  const system = nameIn(ua, SYSTEMS);
  return system ? `${browser} on ${system}` : browser;
}

export interface PushOrigin {
  username: string;
  userAgent: string | undefined;
  /** The client's network (limits/client-address.ts, clientNetwork). */
  network: string;
  /** What a fresh check after 2FA is for; none for the login's second factor. */
  action?: FreshCheckAction | typeof CONFIRM_IDENTITY;
}

/** Authy takes messages of at most 144 characters (Verify 256): the longest browser, network and action fit. */
export const MAX_PUSH_MESSAGE_LENGTH = 144;

export function pushRequest({ username, userAgent, network, action }: PushOrigin): PushRequest {
  const browser = browserName(userAgent);
  const what = action ? `“${action}”` : 'Login requested';
  return {
    message: `${what} from ${browser} (network ${network}). Not you? Deny it and change your password.`,
    details: { Username: username, Request: action ?? 'Log in', Browser: browser, Network: network },
    hiddenDetails: { test: 'This is a' },
    ttlSeconds: PUSH_TTL_SECONDS,
  };
}
