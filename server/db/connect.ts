// Opens a dedicated mongoose connection (never the global one) and says whether it talks to FerretDB.
import mongoose, { type Connection } from 'mongoose';
import { databaseAddress } from './address';
import { isDatabaseUnavailable } from './availability';
import { fixDriverWriteRace } from './driver-write-race';
import type { Logger } from '../platform/logger';

export interface DatabaseConnection {
  connection: Connection;
  /** FerretDB v1 lacks TTL indexes, transactions and $lookup: callers adapt (docs/architecture.md, "The database"). */
  isFerretDB: boolean;
}

/**
 * How long an operation waits for a reachable server before it fails (the driver's default is
 * 30 s). A request during an outage is then answered 503 within seconds instead of hanging.
 * A `serverSelectionTimeoutMS` in the URI wins.
 */
export const SERVER_SELECTION_TIMEOUT_MS = 3000;
/**
 * How long a command may wait for its answer. A database that stops answering while its sockets
 * stay open (a stopped process, a lost network path) would otherwise hold the request for ever;
 * the command fails after this instead, and the request answers 503. Every command the app sends
 * takes milliseconds. A `socketTimeoutMS` in the URI wins.
 */
export const SOCKET_TIMEOUT_MS = 4000;

export async function connectDatabase(
  uri: string,
  options: { dbName?: string; monitorCommands?: boolean; serverSelectionTimeoutMS?: number } = {},
): Promise<DatabaseConnection> {
  fixDriverWriteRace();
  const selection = options.serverSelectionTimeoutMS ?? SERVER_SELECTION_TIMEOUT_MS;
  // sanitizeFilter wraps `{ $ne: … }` and friends arriving in request values in `$eq`,
  // queries that really use operators pass through mongoose.trusted().
  const connection = mongoose.createConnection(uri, {
    dbName: options.dbName,
    monitorCommands: options.monitorCommands, // command events, for the bench and tests that count queries
    autoIndex: true,
    sanitizeFilter: true,
    ...(/[?&]serverSelectionTimeoutMS=/i.test(uri) ? {} : { serverSelectionTimeoutMS: selection }),
    ...(/[?&]socketTimeoutMS=/i.test(uri) ? {} : { socketTimeoutMS: SOCKET_TIMEOUT_MS }),
    // A read that failed is not tried again: a second server selection would double the wait,
    // and the client retries a 503 after its Retry-After anyway (client/core/busy-retry.ts).
    retryReads: false,
  });
  // mongoose queues operations while it is disconnected: no longer than the driver would wait.
  connection.set('bufferTimeoutMS', selection);
  try {
    await connection.asPromise();
    return { connection, isFerretDB: await detectFerretDB(connection) };
  } catch (err) {
    await connection.close().catch(() => {});
    throw err;
  }
}

/**
 * Connects at start-up, waiting for a database that is not reachable yet (it may be starting
 * too): says so after half a second, naming the host (never the credentials), retries, and gives up
 * after `timeoutMs` with an error naming DB_CONNECT_TIMEOUT. Other errors (a wrong password) fail at once.
 */
export async function connectWhenReachable(
  uri: string,
  options: { dbName?: string; timeoutMs: number; logger: Pick<Logger, 'info' | 'warn'> },
): Promise<DatabaseConnection> {
  const where = databaseAddress(uri);
  const seconds = Math.round(options.timeoutMs / 1000);
  const deadline = Date.now() + options.timeoutMs;
  const waiting = setTimeout(
    () => options.logger.warn({ database: where }, `waiting for the database at ${where} (up to ${seconds} s, DB_CONNECT_TIMEOUT)`),
    500,
  );
  try {
    for (let attempt = 1; ; attempt++) {
      const left = deadline - Date.now();
      try {
        return await connectDatabase(uri, { dbName: options.dbName, serverSelectionTimeoutMS: Math.max(500, Math.min(2000, left)) });
      } catch (err) {
        if (!isDatabaseUnavailable(err)) throw err;
        const reason = (err as Error).message.split('\n')[0];
        if (Date.now() >= deadline) {
          throw new Error(`the database at ${where} was not reachable within ${seconds} s (DB_CONNECT_TIMEOUT): ${reason}`, { cause: err });
        }
        options.logger.warn({ database: where, attempt }, `database at ${where} not reachable yet (${reason}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, Math.max(0, deadline - Date.now()))));
      }
    }
  } finally {
    clearTimeout(waiting);
  }
}

/**
 * Closes the connection for a process that is stopping: forced (sessions are not ended on the
 * server), and given up after `timeoutMs`, since the driver's close can wait forever on a
 * server that died mid-handshake.
 */
export async function closeConnection(connection: Connection, timeoutMs = 3000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    connection.close(true).catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}

/** FerretDB's buildInfo carries `ferretdbVersion` (v1) or `ferretdb` (v2); MongoDB's has neither. */
export async function detectFerretDB(connection: Connection): Promise<boolean> {
  const db = connection.db;
  if (!db) throw new Error('connectDatabase: the connection is not open');
  const info = await db.admin().command({ buildInfo: 1 });
  return Object.keys(info).some((key) => key.startsWith('ferretdb'));
}
