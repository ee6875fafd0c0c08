// "The database cannot be reached" as the app sees it: which errors mean that (as opposed to a
// bad query), and one warning per outage with one line when it ends, however many requests fail.
import type { MongoClient } from 'mongodb';
import type { Logger } from '../platform/logger';

const UNAVAILABLE_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);
/** Server answers that mean "not now" (shutting down, stepping down, no primary), not "wrong". */
const UNAVAILABLE_CODES = new Set([6, 7, 89, 91, 189, 9001, 10107, 11600, 11602, 13435, 13436]);
/**
 * A socket error the driver passes on unwrapped (seen: `write EPIPE` when the server died between
 * two commands). Authy's calls turn their own socket errors into 502/504, so one reaching the
 * error handler came from the database.
 */
const SOCKET_ERRORS = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ENOENT', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
const SOCKET_CALLS = new Set(['connect', 'read', 'write']);

/** True when `err` (or its cause) says the database is unreachable or not serving right now. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    const { name, message, code, syscall } = e as { name?: unknown; message?: unknown; code?: unknown; syscall?: unknown };
    if (typeof name === 'string' && UNAVAILABLE_NAMES.has(name)) return true;
    if (SOCKET_CALLS.has(syscall as string) && SOCKET_ERRORS.has(code as string)) return true;
    if (name === 'MongoServerError' && typeof code === 'number' && UNAVAILABLE_CODES.has(code)) return true;
    // mongoose queues operations while disconnected, then gives up with this.
    if (name === 'MongooseError' && typeof message === 'string' && /buffering timed out/.test(message)) return true;
  }
  return false;
}

export interface DatabaseWatch {
  /** A request failed because the database is unavailable: warns once per outage. */
  failed: (err: unknown) => void;
  readonly down: boolean;
}

/** Watches `client`: failures reported by requests and heartbeats open an outage, a heartbeat or new connection ends it. */
export function watchDatabase(client: MongoClient, logger: Pick<Logger, 'warn' | 'info'>, onOutage: () => void = () => {}): DatabaseWatch {
  // The driver's parsed hosts (host:port or socket path): never the credentials.
  const where = client.options.srvHost ?? client.options.hosts.map(String).join(',');
  let downSince: number | undefined;
  const failed = (err: unknown) => {
    if (downSince !== undefined) return;
    downSince = Date.now();
    onOutage();
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    logger.warn({ database: where, reason }, `database at ${where} not reachable (${reason}): answering 503 until it is back`);
  };
  const reachable = () => {
    if (downSince === undefined) return;
    const seconds = Math.round((Date.now() - downSince) / 100) / 10;
    downSince = undefined;
    logger.info({ database: where, seconds }, `database at ${where} reachable again after ${seconds} s`);
  };
  client.on('serverHeartbeatFailed', (event) => failed(event.failure));
  client.on('serverHeartbeatSucceeded', reachable);
  client.on('connectionReady', reachable);
  return {
    failed,
    get down() {
      return downSince !== undefined;
    },
  };
}
