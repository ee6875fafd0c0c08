// A fresh, uniquely named database on the run's test server for one test file.
import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { connectDatabase } from '../../server/db/connect';

export interface TestDatabase {
  connection: Connection;
  isFerretDB: boolean;
  /** The server's URI (without the database name; use `dbName`). */
  uri: string;
  dbName: string;
  /** Drops the database and closes the connection. */
  close(): Promise<void>;
}

/** `monitorCommands` turns on the driver's command events (tests that count queries). */
export async function openTestDatabase(options: { monitorCommands?: boolean } = {}): Promise<TestDatabase> {
  const uri = process.env.TEST_MONGODB_URI;
  if (!uri) throw new Error('TEST_MONGODB_URI is not set: run the tests through Jest (its globalSetup starts the database)');
  const dbName = `t_${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(5).toString('hex')}`;
  const { connection, isFerretDB } = await connectDatabase(uri, { dbName, monitorCommands: options.monitorCommands });
  return {
    connection,
    isFerretDB,
    uri,
    dbName,
    close: async () => {
      try {
        await connection.dropDatabase();
      } finally {
        await connection.close();
      }
    },
  };
}
