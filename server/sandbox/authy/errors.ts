// Authy's error answers: `{success:false, message, errors:{message}, error_code}` with a 4xx
// status and Authy's own codes (error_code is a string, as Authy sends it).
import type { RequestHandler } from 'express';
import { databaseUnavailable } from '../../http/errors';
import type { Logger } from '../../platform/logger';
import { apiErrorHandler } from '../shared/http';

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
