// What the database resolver and the embedded servers it starts share.
import type { Logger } from '../platform/logger';

export type DatabaseKind = 'external' | 'mongodb-memory-server' | 'ferretdb';

export interface StartedDatabase<K extends DatabaseKind = DatabaseKind> {
  kind: K;
  /** May hold credentials: never log it (db/address.ts gives a loggable form). */
  uri: string;
  /** The embedded server's process id, while it runs (none for an external server). */
  readonly pid?: number;
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
  /**
   * When given, the server is watched while the app runs: FerretDB is started again when it dies
   * (embedded-db/supervisor.ts), and this is called with one line once it cannot be kept running.
   */
  onFailure?: (message: string) => void;
}

export type Env = Readonly<Record<string, string | undefined>>;
