// The OneTouch callback signature, as Authy computes it: HMAC-SHA256 over
// "nonce|METHOD|URL|params", keyed with the API key, base64. Shared by the callback
// verifier and the sandbox, which signs its callbacks the same way.
import { createHmac } from 'node:crypto';
import qs from 'qs';
import { safeEqual } from '../../platform/safe-equal';

export interface SignedRequest {
  nonce: string;
  method: string;
  /** The webhook URL without query string, built from the configured public URL. */
  url: string;
  body: unknown;
}

/** The body flattened with qs (brackets), pairs sorted, spaces as "+". */
export function canonicalParams(body: unknown): string {
  if (body === null || typeof body !== 'object') return '';
  return qs.stringify(body, { arrayFormat: 'brackets' }).split('&').sort().join('&').replace(/%20/g, '+');
}

export function signCallback(apiKey: string, req: SignedRequest): string {
  const data = `${req.nonce}|${req.method.toUpperCase()}|${req.url}|${canonicalParams(req.body)}`;
  return createHmac('sha256', apiKey).update(data).digest('base64');
}

/** Constant-time check of a received signature. */
export function isValidSignature(apiKey: string, req: SignedRequest, signature: string): boolean {
  return safeEqual(signature, signCallback(apiKey, req));
}
