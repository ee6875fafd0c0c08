// Maps what can go wrong talking to Authy onto our HTTP errors: input that
// authy-client refuses before sending → 400 naming the field, Authy's refusal → 502 with its
// message (429 stays 429), no answer in time → 504, no connection → 502. A wrong code is not an
// error (see authy-api.ts). Never copies Authy's response (or our request) into the answer.
import { HttpError } from '../../http/errors';

/** authy-client's field names → ours. */
const FIELD_NAMES: Record<string, string> = {
  countryCode: 'country_code',
  phone: 'phone_number',
  email: 'email',
  token: 'token',
  via: 'via',
};

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED']);

interface UpstreamError {
  name?: string;
  code?: string | number;
  message?: string;
  errors?: Record<string, unknown>;
  response?: { status?: number; data?: { message?: unknown; error_code?: unknown } };
  body?: { message?: unknown; error_code?: unknown };
}

/** Authy's error code for a wrong API key: a 401 that is our fault, not the user's. */
export const INVALID_API_KEY = '60001';

export function authyErrorCode(err: UpstreamError): string | undefined {
  const code = err.response?.data?.error_code ?? err.body?.error_code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : undefined;
}

export function authyMessage(err: UpstreamError): string | undefined {
  const message = err.response?.data?.message ?? err.body?.message;
  return typeof message === 'string' && message.length <= 200 ? message : undefined;
}

/** The HTTP status Authy answered with, from authy-client (code) or axios (response.status). */
export function authyStatus(err: UpstreamError): number | undefined {
  if (typeof err.response?.status === 'number') return err.response.status;
  if (typeof err.code === 'number') return err.code;
  return undefined;
}

/** What an Authy call's failure means for our client. */
export function upstreamError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const e = (err ?? {}) as UpstreamError;

  if (e.name === 'ValidationFailedError' && e.errors) {
    const field = Object.keys(e.errors)
      .map((k) => FIELD_NAMES[k])
      .find(Boolean);
    return new HttpError(400, field ? `${field.replace('_', ' ')} is not valid.` : 'The request is not valid.', field);
  }
  if (e.name === 'AssertionFailedError') return new HttpError(502, 'Authy sent an answer we did not expect.');

  const status = authyStatus(e);
  if (status !== undefined) {
    const message = authyMessage(e);
    if (status === 429) return new HttpError(429, message ?? 'Too many requests to Authy. Please wait and try again.');
    return new HttpError(502, message ? `Authy refused the request: ${message}` : 'Authy refused the request.');
  }
  // No answer at all: axios and request both name the socket error in a string code.
  if (typeof e.code === 'string' && TIMEOUT_CODES.has(e.code)) return new HttpError(504, 'Authy did not answer in time. Please try again.');
  if (typeof e.code === 'string') return new HttpError(502, 'Authy cannot be reached right now. Please try again.');
  return new HttpError(502, 'Authy could not be reached.');
}
