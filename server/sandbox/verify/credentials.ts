// The sandbox's Twilio account: an auth token (VERIFY_SANDBOX_AUTH_TOKEN, or generated once and
// kept in .data/), and an account SID and two Verify Service SIDs (2FA, and the phone
// verification demo) derived from it, so they stay together across restarts and the sandbox's
// stored entities keep their service.
import { createHash } from 'node:crypto';
import type { TwilioVerifyCredentials } from '../../platform/config';

export function sandboxTwilioAccount(authToken: string): TwilioVerifyCredentials & { demoServiceSid: string } {
  const hex = (label: string) => createHash('sha256').update(`${label}:${authToken}`).digest('hex').slice(0, 32);
  return { accountSid: `AC${hex('account')}`, authToken, serviceSid: `VA${hex('service')}`, demoServiceSid: `VA${hex('demo-service')}` };
}
