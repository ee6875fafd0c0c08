// API bodies are JSON of at most 10 kB; anything else is refused before a handler sees it.
import express, { type RequestHandler } from 'express';
import { HttpError } from './errors';

export const JSON_LIMIT = '10kb';

/**
 * A body that is not JSON is a 415. `formPaths` may also be form-encoded (Authy's callback),
 * given as paths below the mount point.
 */
export function requireJsonBody(formPaths: readonly string[] = []): RequestHandler {
  return (req, _res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (!hasBody || req.is('application/json') || (formPaths.includes(req.path) && req.is('application/x-www-form-urlencoded'))) {
      return next();
    }
    next(new HttpError(415, 'Send the request body as application/json.'));
  };
}

/** The JSON body parser of the API: strict (objects and arrays only), 10 kB at most. */
export const parseJsonBody = (): RequestHandler => express.json({ limit: JSON_LIMIT, strict: true });
