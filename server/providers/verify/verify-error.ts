// Maps what can go wrong talking to Twilio Verify onto our HTTP errors, as authy-error.ts does
// for Authy: Twilio's refusal → 502 with its message (too many attempts → 429, a number it
// cannot use → 400 naming the field), no answer in time → 504, no connection → 502. Never
// copies the error itself anywhere: an AxiosError from the library carries our Basic auth header.
import { HttpError } from '../../http/errors';

/** Twilio's error codes the app treats specially (twilio.com/docs/api/errors). */
export const TWILIO = {
  notFound: 20404,
  tooManyRequests: 20429,
  invalidParameter: 60200,
  maxCheckAttempts: 60202,
  maxSendAttempts: 60203,
  landline: 60205,
  challengeAttempts: 60308,
  factorAttempts: 60310,
} as const;

const TOO_MANY = new Set<number>([
  TWILIO.tooManyRequests,
  TWILIO.maxCheckAttempts,
  TWILIO.maxSendAttempts,
  TWILIO.challengeAttempts,
  TWILIO.factorAttempts,
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED']);

/** The fields of a RestException (or a TwilioServiceException) that we read: its HTTP status and Twilio's code. */
interface TwilioFailure {
  status?: unknown;
  code?: unknown;
  message?: unknown;
  isAxiosError?: unknown;
}

/** Twilio's error code when Twilio answered with an error (status ≥ 400), else undefined. */
export function twilioCode(err: unknown): number | undefined {
  const e = (err ?? {}) as TwilioFailure;
  return typeof e.status === 'number' && e.status >= 400 && typeof e.code === 'number' ? e.code : undefined;
}

export function verifyError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const e = (err ?? {}) as TwilioFailure;
  if (e.isAxiosError !== true && typeof e.status === 'number' && e.status >= 400) {
    const code = typeof e.code === 'number' ? e.code : undefined;
    const message = typeof e.message === 'string' && e.message.length <= 200 ? e.message : undefined;
    if (e.status === 429 || (code !== undefined && TOO_MANY.has(code))) {
      return new HttpError(429, message ?? 'Too many requests to Twilio Verify. Please wait and try again.');
    }
    if (code === TWILIO.invalidParameter && message?.includes('To')) {
      return new HttpError(400, 'Twilio Verify cannot send to this phone number.', 'phone_number');
    }
    if (code === TWILIO.landline) return new HttpError(400, 'This number is a landline: choose a voice call.', 'phone_number');
    return new HttpError(502, message ? `Twilio Verify refused the request: ${message}` : 'Twilio Verify refused the request.');
  }
  if (typeof e.code === 'string' && TIMEOUT_CODES.has(e.code)) {
    return new HttpError(504, 'Twilio Verify did not answer in time. Please try again.');
  }
  if (typeof e.code === 'string') return new HttpError(502, 'Twilio Verify cannot be reached right now. Please try again.');
  return new HttpError(502, 'Twilio Verify could not be reached.');
}

/** Runs a Verify call and turns its failure into an HttpError. */
export async function verifyCall<T>(call: () => PromiseLike<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw verifyError(err);
  }
}
