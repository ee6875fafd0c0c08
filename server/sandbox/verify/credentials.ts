// The sandbox's Twilio account: an auth token (VERIFY_SANDBOX_AUTH_TOKEN, or generated once and
// kept in .data/), and an account SID and Verify Service SID derived from it, so the three stay
// together across restarts and the sandbox's stored entities keep their service.
import { createHash } from 'node:crypto';
import type { TwilioVerifyCredentials } from '../../platform/config';

export function sandboxTwilioAccount(authToken: string): TwilioVerifyCredentials {
  const hex = (label: string) => createHash('sha256').update(`${label}:${authToken}`).digest('hex').slice(0, 32);
  return { accountSid: `AC${hex('account')}`, authToken, serviceSid: `VA${hex('service')}` };
}
