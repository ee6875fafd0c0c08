// Twilio's error answers: `{code, message, more_info, status}` with the HTTP status, which the
// `twilio` library turns into a RestException carrying the code (twilio.com/docs/api/errors).
import type { RequestHandler } from 'express';
import { databaseUnavailable } from '../../http/errors';
import type { Logger } from '../../platform/logger';
import { apiErrorHandler } from '../shared/http';

export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'TwilioApiError';
  }

  toJSON() {
    return { code: this.code, message: this.message, more_info: `https://www.twilio.com/docs/errors/${this.code}`, status: this.status };
  }
}

export const twilioErrors = {
  authenticate: () => new TwilioApiError(401, 20003, 'Authenticate'),
  notFound: (path: string) => new TwilioApiError(404, 20404, `The requested resource ${path} was not found`),
  internal: () => new TwilioApiError(500, 20500, 'Internal Server Error'),
  invalidParameter: (name: string) => new TwilioApiError(400, 60200, `Invalid parameter: ${name}`),
  maxCheckAttempts: () => new TwilioApiError(429, 60202, 'Max check attempts reached'),
  maxSendAttempts: () => new TwilioApiError(429, 60203, 'Max send attempts reached'),
  factorUnverified: () => new TwilioApiError(403, 60318, 'Factor is unverified'),
  invalidIdentity: () => new TwilioApiError(400, 60366, 'Entity identity invalid or not provided'),
  invalidDetails: () => new TwilioApiError(400, 60368, 'Challenge details invalid or not provided'),
  unavailable: () => new TwilioApiError(503, 20503, databaseUnavailable().message),
};

/** The Verify API's error handler: Twilio errors as Twilio says them, body-parser errors as 60200. */
export const twilioErrorHandler = (logger: Logger) =>
  apiErrorHandler(logger, {
    label: 'Verify',
    isOwn: (err): err is TwilioApiError => err instanceof TwilioApiError,
    unavailable: twilioErrors.unavailable,
    badRequest: () => twilioErrors.invalidParameter('body'),
    internal: twilioErrors.internal,
  });

export const twilioNotFound: RequestHandler = (req, _res, next) => next(twilioErrors.notFound(req.path));
