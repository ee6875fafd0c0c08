// The OneTouch callback the sandbox POSTs when a push request is approved or denied: Authy's body
// (as JSON) signed with the shared signer, so it passes both the app's check and authy-client's
// verifyCallback.
import { randomBytes, randomInt } from 'node:crypto';
import axios from 'axios';
import { signCallback } from '../authy/signature';
import type { Logger } from '../platform/logger';
import type { Pair, SandboxApproval } from './models';

export interface CallbackMessage {
  body: Record<string, unknown>;
  headers: { 'X-Authy-Signature': string; 'X-Authy-Signature-Nonce': string };
}

export const pairsToObject = (pairs: readonly Pair[]): Record<string, string> =>
  Object.fromEntries(pairs.map(({ key, value }) => [key, value]));

const unix = (d: Date) => Math.floor(d.getTime() / 1000);

/** The signed URL is the callback URL without its query string, exactly as configured. */
export const signedUrl = (callbackUrl: string) => callbackUrl.split(/[?#]/)[0];

/**
 * A fresh nonce: the unix time (as Authy's are) with a random fraction, so that two callbacks
 * in the same second still differ (the app refuses a nonce it has seen).
 */
export function newNonce(now: Date): string {
  return `${unix(now)}.${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
}

export function buildCallback(opts: {
  apiKey: string;
  callbackUrl: string;
  approval: SandboxApproval & { status: 'approved' | 'denied' };
  deviceUuid: string;
  customerUuid: string;
  now: Date;
  nonce?: string;
}): CallbackMessage {
  const { approval, now } = opts;
  const body = {
    approval_request: {
      expiration_timestamp: unix(approval.pendingUntil),
      logos: null,
      transaction: {
        created_at_time: unix(approval.createdAt),
        customer_uuid: opts.customerUuid,
        details: pairsToObject(approval.details),
        device_details: null,
        device_geolocation: null,
        device_signing_time: unix(now),
        encrypted: false,
        flagged: false,
        hidden_details: pairsToObject(approval.hiddenDetails),
        message: approval.message,
        reason: null,
        requester_details: null,
        status: approval.status,
        uuid: approval.uuid,
      },
    },
    authy_id: Number(approval.authyId),
    callback_action: 'approval_request_status',
    device_uuid: opts.deviceUuid,
    // Authy puts the device's own signature of the transaction here; the sandbox has no device key.
    signature: randomBytes(256).toString('base64'),
    status: approval.status,
    uuid: approval.uuid,
  };
  const nonce = opts.nonce ?? newNonce(now);
  const signature = signCallback(opts.apiKey, { nonce, method: 'POST', url: signedUrl(opts.callbackUrl), body });
  return { body, headers: { 'X-Authy-Signature': signature, 'X-Authy-Signature-Nonce': nonce } };
}

/** POSTs the callback; a failure is logged, never thrown (the app polls as well). */
export async function sendCallback(callbackUrl: string, message: CallbackMessage, logger: Logger, timeoutMs = 5000): Promise<boolean> {
  try {
    const res = await axios.post(callbackUrl, message.body, {
      headers: { ...message.headers, 'Content-Type': 'application/json' },
      timeout: timeoutMs,
      maxRedirects: 0,
      proxy: false,
      validateStatus: () => true,
    });
    if (res.status >= 200 && res.status < 300) {
      logger.debug({ status: res.status }, '[sandbox] callback delivered');
      return true;
    }
    logger.warn({ status: res.status, url: signedUrl(callbackUrl) }, '[sandbox] the app refused the OneTouch callback');
  } catch (err) {
    logger.warn({ err: (err as Error).message, url: signedUrl(callbackUrl) }, '[sandbox] OneTouch callback failed');
  }
  return false;
}
