// What a push request says on the phone. Whoever approves it should know where it comes from
// (the browser, and the client's network: never the whole address) and, for a fresh check after
// 2FA, what they are approving; someone who did not ask for it should deny it. A stolen session
// can send push requests too, hoping the owner approves one out of habit.
import type { FreshCheckAction } from '../auth/login-session';
import { browserName } from '../http/browser-name';
import type { PushRequest } from '../providers/provider';

/** How long a push request waits for an answer on the phone: as long as the SPA polls (client/twofa/push-poller.ts). */
export const PUSH_TTL_SECONDS = 60;

/** A fresh check asked for nothing in particular (the SPA's "Confirm with 2FA" sends the person to /2fa). */
export const CONFIRM_IDENTITY = 'Confirm it is you';

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
