// One pino logger; redaction keeps keys, passwords, tokens, cookies and session ids out of logs.
import pino, { type Logger } from 'pino';

export type { Logger };

export const REDACTED_PATHS = [
  'apiKey',
  'key',
  'password',
  'token',
  'code',
  'secret',
  'sessionId',
  '*.apiKey',
  '*.key',
  '*.password',
  '*.token',
  '*.code',
  '*.secret',
  '*.sessionId',
  'req.headers.cookie',
  'req.headers["x-authy-api-key"]',
  'req.headers["x-xsrf-token"]',
  'res.headers["set-cookie"]',
];

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}
