// Verify's webhooks for push answers: a form-encoded POST signed as Twilio signs every request
// to an app: X-Twilio-Signature = base64(HMAC-SHA1(auth token, URL + each parameter's name and
// value, sorted by name)). The app checks it with the `twilio` library's validateRequest.
import { createHmac } from 'node:crypto';
import axios from 'axios';
import type { Logger } from '../../platform/logger';

export function twilioSignature(authToken: string, url: string, params: Readonly<Record<string, string>>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

/** POSTs a signed webhook; a failure is logged, never thrown (the app polls as well). */
export async function sendWebhook(
  url: string,
  params: Record<string, string>,
  authToken: string,
  logger: Logger,
  timeoutMs = 5000,
): Promise<boolean> {
  try {
    const res = await axios.post(url, new URLSearchParams(params).toString(), {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': twilioSignature(authToken, url, params) },
      timeout: timeoutMs,
      maxRedirects: 0,
      proxy: false,
      validateStatus: () => true,
    });
    if (res.status >= 200 && res.status < 300) return true;
    logger.warn({ status: res.status, url }, '[sandbox] the app refused the Verify webhook');
  } catch (err) {
    logger.warn({ err: (err as Error).message, url }, '[sandbox] Verify webhook failed');
  }
  return false;
}
