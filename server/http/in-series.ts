// Several middleware functions as one. For every layer a request passes, Express matches the
// layer's path and strips and restores its mount path; a fixed run of functions that every API
// request goes through costs less as one layer.
import type { RequestHandler } from 'express';

/** Runs `handlers` in order, as Express would; the first error (or one thrown) goes to `next`. */
export function inSeries(handlers: readonly RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    let i = 0;
    const step = (err?: unknown): void => {
      if (err) return next(err);
      const handler = handlers[i++];
      if (!handler) return next();
      try {
        handler(req, res, step);
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}
