// One log line per request: method, path, status, time. The query string is dropped and long
// digit segments masked: both can hold codes (the sandbox's Authy paths carry the token).
import type { RequestHandler } from 'express';
import type { Logger } from '../platform/logger';

export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const path = req.originalUrl.split('?')[0].replace(/\/\d{4,}(?=\/|$)/g, '/…');
      const fields = { method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      logger.info(fields, `${fields.method} ${path} ${fields.status} ${fields.ms} ms`);
    });
    next();
  };
}
