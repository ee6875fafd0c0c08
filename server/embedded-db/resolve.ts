// Chooses and starts the database: the configured URI when given, else an embedded one —
// mongodb-memory-server when it can get a mongod, else FerretDB on SQLite.
import type { EmbeddedDatabase, EmbeddedOptions, StartedDatabase } from './embedded';
import { errorText } from './executables';
import { locateFerretDB, startFerretDB } from './ferretdb';
import { startMongoMemoryServer } from './mongo-memory';

export type { DatabaseLogger, StartedDatabase } from './embedded';

/** Uses `uri` (config.mongodbUri) when given, else starts an embedded database; the result names which. */
export async function resolveDatabase(options: EmbeddedOptions & { uri: string | undefined }): Promise<StartedDatabase> {
  if (options.uri) return { kind: 'external', uri: options.uri, stop: async () => {} };
  return startEmbeddedDatabase(options);
}

/** mongodb-memory-server first; FerretDB when no mongod can be had; one clear error when neither works. */
export async function startEmbeddedDatabase(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const env = options.env ?? process.env;
  const logger = options.logger;
  let mongodError: unknown;
  try {
    return await startMongoMemoryServer(options, env);
  } catch (err) {
    mongodError = err;
    logger?.warn(`mongodb-memory-server could not start (${summary(err)}); falling back to FerretDB`);
  }
  let ferretError: unknown;
  try {
    const bin = await locateFerretDB(env, logger);
    return await startFerretDB(bin, options);
  } catch (err) {
    ferretError = err;
  }
  throw new Error(
    'No database available.\n' +
      `  mongodb-memory-server: ${summary(mongodError)}\n` +
      `  FerretDB: ${errorText(ferretError)}\n` +
      'Ways out:\n' +
      '  1. set MONGODB_URI to a MongoDB server (mongodb://… or mongodb+srv://…);\n' +
      '  2. install Go so FerretDB can be built (scripts/ensure-ferretdb.sh), or set FERRETDB_BIN to a FerretDB v1 binary;\n' +
      '  3. allow mongodb-memory-server to download mongod (network access to fastdl.mongodb.org, ' +
      'or MONGOMS_DOWNLOAD_MIRROR), or set MONGOMS_SYSTEM_BINARY to a mongod.',
  );
}

/** One line for logs: the error's class and its message, whitespace collapsed, bounded. */
function summary(err: unknown): string {
  const kind = err instanceof Error && err.constructor.name !== 'Error' ? `${err.constructor.name}: ` : '';
  const text = (kind + errorText(err)).replace(/\s+/g, ' ').trim();
  return text.length > 300 ? text.slice(0, 297) + '...' : text;
}
