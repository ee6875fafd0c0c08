// Verify's webhooks for push answers: a form-encoded POST signed as Twilio signs every request
// to an app: X-Twilio-Signature = base64(HMAC-SHA1(auth token, URL + each parameter's name and
// value, sorted by name)). The app checks it with the `twilio` library's validateRequest.
import { createHmac, randomUUID } from 'node:crypto';
import type { SignedPost } from '../shared/post-to-app';
import { recordOf } from '../shared/push-requests';
import type { VerifyChallenge } from './models';

export function twilioSignature(authToken: string, url: string, params: Readonly<Record<string, string>>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

/** The webhook's form parameters for a challenge event (version v2; JSON values as text). */
export function webhookParams(o: {
  accountSid: string;
  challenge: VerifyChallenge;
  factorName: string;
  now: Date;
}): Record<string, string> {
  const { challenge } = o;
  return {
    uuid: randomUUID(),
    type: `challenge.${challenge.status}`,
    account_sid: o.accountSid,
    service_sid: challenge.serviceSid,
    entity_identity: challenge.identity,
    factor_sid: challenge.factorSid,
    factor_type: challenge.factorType,
    factor_friendly_name: o.factorName,
    challenge_sid: challenge.sid,
    challenge_details: JSON.stringify({ message: challenge.message, date: o.now.toISOString(), fields: challenge.fields }),
    challenge_hidden_details: JSON.stringify(recordOf(challenge.hiddenDetails ?? [])),
    challenge_metadata: '{}',
    factor_metadata: '{}',
  };
}

export function signedWebhook(url: string, params: Record<string, string>, authToken: string): SignedPost {
  return {
    url,
    body: new URLSearchParams(params).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': twilioSignature(authToken, url, params) },
    what: 'Verify webhook',
    logUrl: url,
  };
}
