// What both sandbox APIs and the phone page do alike over HTTP: nothing cached, route parameters
// read as strings, and errors answered in each API's own shape.
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { isDatabaseUnavailable } from '../../db/availability';
import { DATABASE_RETRY_AFTER_S } from '../../http/errors';
import type { Logger } from '../../platform/logger';

/** Codes, secrets and states change at every request: nothing is cached. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

/** A route parameter, '' when absent. */
export function param(req: Request, name: string): string {
  const v = (req.params as Record<string, string | undefined>)[name];
  return typeof v === 'string' ? v : '';
}

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
