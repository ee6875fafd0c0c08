// Chooses and starts the database: MONGODB_URI when given, else an embedded one —
// mongodb-memory-server when it can get a mongod, else FerretDB on SQLite (see SPEC §6).
import type { Logger } from '../logger';
import { errorText } from './executables';
import { locateFerretDB, startFerretDB } from './ferretdb';
import { startMongoMemoryServer } from './mongo-memory';

export type DatabaseChoice = { kind: 'external'; uri: string } | { kind: 'embedded' };

export type DatabaseKind = 'external' | 'mongodb-memory-server' | 'ferretdb';

export interface StartedDatabase<K extends DatabaseKind = DatabaseKind> {
  kind: K;
  uri: string;
  /** Stops the embedded server (a no-op for an external one). */
  stop(): Promise<void>;
}

export type EmbeddedDatabase = StartedDatabase<'mongodb-memory-server' | 'ferretdb'>;

export type DatabaseLogger = Pick<Logger, 'info' | 'warn'>;

export interface EmbeddedOptions {
  /** Persistent data lives in `<dataDir>/mongodb` or `<dataDir>/ferretdb`. */
  dataDir: string;
  /** Throw-away data in a temporary directory removed on stop (tests). */
  ephemeral: boolean;
  logger?: DatabaseLogger;
  /** Where FERRETDB_BIN, PATH and MONGOMS_* are read; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export type Env = Readonly<Record<string, string | undefined>>;

const URI_VARIABLES = ['MONGODB_URI', 'MONGO_CONNECTION'] as const;

/** MONGODB_URI (or the original's MONGO_CONNECTION) selects an external server; otherwise embedded. */
export function chooseDatabase(env: Env): DatabaseChoice {
  for (const name of URI_VARIABLES) {
    const value = env[name]?.trim();
    if (!value) continue;
    // The value is not echoed: it may carry a password.
    if (!/^mongodb(\+srv)?:\/\/\S+/.test(value)) {
      throw new Error(`${name} must be a mongodb:// or mongodb+srv:// connection string`);
    }
    return { kind: 'external', uri: value };
  }
  return { kind: 'embedded' };
}

/** Uses the external server when configured, else starts an embedded one; the result names which. */
export async function resolveDatabase(options: EmbeddedOptions & { env: Env }): Promise<StartedDatabase> {
  const choice = chooseDatabase(options.env);
  if (choice.kind === 'external') return { kind: 'external', uri: choice.uri, stop: async () => {} };
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
