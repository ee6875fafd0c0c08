// Opens a dedicated mongoose connection (never the global one) and says whether it talks to FerretDB.
import mongoose, { type Connection } from 'mongoose';

export interface DatabaseConnection {
  connection: Connection;
  /** FerretDB v1 lacks TTL indexes, transactions and $lookup: callers adapt (docs/architecture.md, "The database"). */
  isFerretDB: boolean;
}

export async function connectDatabase(
  uri: string,
  options: { dbName?: string; monitorCommands?: boolean } = {},
): Promise<DatabaseConnection> {
  // sanitizeFilter wraps `{ $ne: … }` and friends arriving in request values in `$eq`,
  // queries that really use operators pass through mongoose.trusted().
  const connection = mongoose.createConnection(uri, {
    dbName: options.dbName,
    monitorCommands: options.monitorCommands, // command events, for the bench and tests that count queries
    autoIndex: true,
    sanitizeFilter: true,
  });
  try {
    await connection.asPromise();
    return { connection, isFerretDB: await detectFerretDB(connection) };
  } catch (err) {
    await connection.close().catch(() => {});
    throw err;
  }
}

/** FerretDB's buildInfo carries `ferretdbVersion` (v1) or `ferretdb` (v2); MongoDB's has neither. */
export async function detectFerretDB(connection: Connection): Promise<boolean> {
  const db = connection.db;
  if (!db) throw new Error('connectDatabase: the connection is not open');
  const info = await db.admin().command({ buildInfo: 1 });
  return Object.keys(info).some((key) => key.startsWith('ferretdb'));
}
