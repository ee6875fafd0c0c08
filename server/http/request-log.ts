// One log line per request: method, path, status, time. The query string is dropped and long
// digit segments masked: both can hold codes (the sandbox's Authy paths carry the token).
import { performance } from 'node:perf_hooks';
import type { RequestHandler } from 'express';
import type { Logger } from '../platform/logger';
import { stampArrival } from './arrival';

const LONG_DIGITS = /\/\d{4,}(?=\/|$)/g;

export function requestLog(logger: Logger): RequestHandler {
  // The line's four fields are ours and hold nothing secret (the path is masked above), so the
  // logger's redaction, which walks every field of every line, is not needed for it.
  const log = logger.child({}, { redact: [] });
  return (req, res, next) => {
    const start = performance.now();
    stampArrival(req, start);
    res.once('finish', () => {
      const url = req.originalUrl;
      const query = url.indexOf('?');
      const path = (query < 0 ? url : url.slice(0, query)).replace(LONG_DIGITS, '/…');
      const ms = Math.round((performance.now() - start) * 10) / 10;
      log.info({ method: req.method, path, status: res.statusCode, ms }, `${req.method} ${path} ${res.statusCode} ${ms} ms`);
    });
    next();
  };
}
