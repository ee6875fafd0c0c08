// One error type for the whole app: services throw it, the handler turns it into {error, field?}.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isDatabaseUnavailable } from '../db/availability';
import type { Logger } from '../platform/logger';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** JSON 404 for unknown API paths. */
export const apiNotFound: RequestHandler = (_req, _res, next) => next(new HttpError(404, 'Not found.'));

/** Seconds a client is asked to wait while the database is unreachable. */
export const DATABASE_RETRY_AFTER_S = 5;
export const databaseUnavailable = () =>
  new HttpError(503, 'The database is not reachable. Please try again.', undefined, { 'Retry-After': String(DATABASE_RETRY_AFTER_S) });

/** Express body-parser errors carry a status and a type; anything else is ours or a bug. */
function asHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (isDatabaseUnavailable(err)) return databaseUnavailable();
  const e = err as { status?: number; type?: string };
  if (e.type === 'entity.too.large') return new HttpError(413, 'The request body is too large.');
  if (e.type === 'entity.parse.failed') return new HttpError(400, 'The request body is not valid JSON.');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return new HttpError(e.status, 'The request could not be read.');
  }
  return new HttpError(500, 'Something went wrong on our side.');
}

/** `onDatabaseUnavailable` hears of each request the database failed (it logs once per outage; the handler does not). */
export function errorHandler(logger: Logger, onDatabaseUnavailable?: (err: unknown) => void): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const httpErr = asHttpError(err);
    if (isDatabaseUnavailable(err)) {
      onDatabaseUnavailable?.(err);
    } else if (err instanceof HttpError && err.status === 503 && err.headers['Retry-After']) {
      // Refused on purpose, to be tried again (the hash queue is full): a line for the operator,
      // not a failure's stack trace, which under overload would cost CPU for every refusal.
      logger.warn({ path: req.path, reason: err.message, retryAfter: Number(err.headers['Retry-After']) }, 'request refused (503)');
    } else if (httpErr.status >= 500) {
      // Log the cause for the operator; the client gets a sentence, never the upstream body.
      logger.error(
        { err: { name: (err as Error)?.name, message: (err as Error)?.message, stack: (err as Error)?.stack }, path: req.path },
        'request failed',
      );
    }
    res.set(httpErr.headers);
    res.status(httpErr.status).json(httpErr.field ? { error: httpErr.message, field: httpErr.field } : { error: httpErr.message });
  };
}
