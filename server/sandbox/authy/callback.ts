// The OneTouch callback the sandbox POSTs when a push request is approved or denied: Authy's body
// (as JSON) signed with the app's own signer, so it passes both the app's check and
// authy-client's verifyCallback.
import { randomBytes, randomInt } from 'node:crypto';
import { signCallback } from '../../providers/authy/signature';
import { recordOf } from '../shared/push-requests';
import type { Approval } from './models';

export interface CallbackMessage {
  body: Record<string, unknown>;
  headers: { 'X-Authy-Signature': string; 'X-Authy-Signature-Nonce': string };
}

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
  approval: Approval & { status: 'approved' | 'denied' };
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
        details: recordOf(approval.details),
        device_details: null,
        device_geolocation: null,
        device_signing_time: unix(now),
        encrypted: false,
        flagged: false,
        hidden_details: recordOf(approval.hiddenDetails ?? []),
        message: approval.message,
        reason: null,
        requester_details: null,
        status: approval.status,
        uuid: approval.id,
      },
    },
    authy_id: Number(approval.account),
    callback_action: 'approval_request_status',
    device_uuid: opts.deviceUuid,
    // Authy puts the device's own signature of the transaction here; the sandbox has no device key.
    signature: randomBytes(256).toString('base64'),
    status: approval.status,
    uuid: approval.id,
  };
  const nonce = opts.nonce ?? newNonce(now);
  const signature = signCallback(opts.apiKey, { nonce, method: 'POST', url: signedUrl(opts.callbackUrl), body });
  return { body, headers: { 'X-Authy-Signature': signature, 'X-Authy-Signature-Nonce': nonce } };
}
