// What the database resolver and the embedded servers it starts share.
import type { Logger } from '../logger';

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
