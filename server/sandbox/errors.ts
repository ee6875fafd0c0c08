// Authy's error answers: `{success:false, message, errors:{message}, error_code}` with a 4xx
// status and Authy's own codes (error_code is a string, as Authy sends it). Also the error
// handler both sandbox APIs share (verify/errors.ts gives it Twilio's shapes).
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isDatabaseUnavailable } from '../db/availability';
import { DATABASE_RETRY_AFTER_S, databaseUnavailable } from '../http/errors';
import type { Logger } from '../platform/logger';

export class AuthyError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    /** Extra top-level fields Authy sends with some errors (e.g. `token: "is invalid"`). */
    readonly extra: Record<string, unknown> = {},
    /** Extra fields inside `errors` (e.g. `{email: "is invalid"}`). */
    readonly details: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AuthyError';
  }

  toJSON(): Record<string, unknown> {
    return {
      ...this.extra,
      success: false,
      message: this.message,
      errors: { ...this.details, message: this.message },
      error_code: this.errorCode,
    };
  }
}

export const errors = {
  internal: () => new AuthyError(500, '60000', 'Internal error'),
  invalidApiKey: () => new AuthyError(401, '60001', 'Invalid API key'),
  maxAttempts: () => new AuthyError(429, '60003', 'Max attempts reached'),
  invalidParameter: (name: string) => new AuthyError(400, '60004', `Invalid parameter: ${name}`),
  notFound: () => new AuthyError(404, '60000', 'Not found'),
  tokenInvalid: () => new AuthyError(401, '60020', 'Token is invalid', { token: 'is invalid' }),
  verificationIncorrect: () => new AuthyError(401, '60022', 'Verification code is incorrect'),
  noPendingVerification: (to: string) => new AuthyError(404, '60023', `No pending verifications for ${to} found.`),
  userNotFound: () => new AuthyError(404, '60026', 'User not found.'),
  userNotValid: (fields: Record<string, string>) => new AuthyError(400, '60027', 'User was not valid', {}, fields),
  phoneInvalid: () => new AuthyError(400, '60033', 'Phone number is invalid'),
  approvalRequestNotFound: () => new AuthyError(404, '60049', 'Approval request not found.'),
};

/** How one of the sandbox's APIs says its errors, for `apiErrorHandler`. */
export interface ApiErrorShapes<E extends { status: number; toJSON(): unknown }> {
  /** Names the API in the log line of an internal error. */
  label: string;
  isOwn: (err: unknown) => err is E;
  unavailable: () => E;
  /** A 4xx raised before the route, by body parsing (`type` says which, e.g. entity.too.large). */
  badRequest: (type: string | undefined) => E;
  internal: () => E;
}

/**
 * A sandbox API's error handler: its own errors as they are, the database's absence as 503 with
 * Retry-After (the app's own requests log the outage once), body-parser errors as a 4xx, and
 * anything else as a logged 500.
 */
export function apiErrorHandler<E extends { status: number; toJSON(): unknown }>(
  logger: Logger,
  api: ApiErrorShapes<E>,
): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const e = err as { status?: unknown; type?: string; name?: string; message?: string; stack?: string } | undefined;
    let error: E;
    if (api.isOwn(err)) {
      error = err;
    } else if (isDatabaseUnavailable(err)) {
      res.set('Retry-After', String(DATABASE_RETRY_AFTER_S));
      error = api.unavailable();
    } else if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      error = api.badRequest(e.type);
    } else {
      logger.error(
        { err: { name: e?.name, message: e?.message, stack: e?.stack }, path: req.path },
        `[sandbox] ${api.label} request failed`,
      );
      error = api.internal();
    }
    res.status(error.status).set('Cache-Control', 'no-store').json(error.toJSON());
  };
}

/** The Authy API's error handler: Authy errors as Authy says them, a too-large body as 413. */
export const authyErrorHandler = (logger: Logger) =>
  apiErrorHandler(logger, {
    label: 'Authy',
    isOwn: (err): err is AuthyError => err instanceof AuthyError,
    unavailable: () => new AuthyError(503, '60000', databaseUnavailable().message),
    badRequest: (type) =>
      type === 'entity.too.large' ? new AuthyError(413, '60004', 'Request too large') : errors.invalidParameter('body'),
    internal: errors.internal,
  });

export const authyNotFound: RequestHandler = (_req, _res, next) => next(errors.notFound());
