// mongodb-memory-server: a real mongod, downloaded on first use (which fails offline). It listens
// on a loopback TCP port, which any local user can reach, so it runs with authentication: the
// app's user and its generated password live in the data directory (0700).
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { readOrCreateSecret } from '../platform/data-dir';
import { findOnPath } from './executables';
import type { EmbeddedDatabase, EmbeddedOptions, Env } from './embedded';

const USER = 'account-security-app';
const PASSWORD_FILE = 'mongodb-password';

export async function startMongoMemoryServer(options: EmbeddedOptions, env: Env): Promise<EmbeddedDatabase> {
  const { MongoBinary, MongoMemoryServer } = await import('mongodb-memory-server');
  const instance: { dbPath?: string; storageEngine?: 'wiredTiger' } = {};
  if (!options.ephemeral) {
    instance.dbPath = path.join(options.dataDir, 'mongodb');
    instance.storageEngine = 'wiredTiger';
  }
  // A mongod on PATH is used as is; MONGOMS_SYSTEM_BINARY is read by mongodb-memory-server itself.
  const systemBinary = env.MONGOMS_SYSTEM_BINARY ? undefined : findOnPath('mongod', env);
  // Offline, the default 3 download attempts with back-off cost ~7 s before the fallback; one costs ~0.
  const defaults: Record<string, string> = { MONGOMS_MAX_RETRIES: '1' };
  if (systemBinary) defaults.MONGOMS_SYSTEM_BINARY_VERSION_CHECK = 'false';
  const binary = systemBinary ? { systemBinary } : undefined;
  const server = await withEnvDefaults(defaults, async () => {
    // Getting the binary first fails quietly; MongoMemoryServer.create would also print the stack.
    await MongoBinary.getPath(binary);
    let password = randomBytes(24).toString('base64url');
    let force = false;
    if (instance.dbPath) {
      // Only once a mongod is at hand: an empty .data/mongodb would say MongoDB ran when it did not.
      await mkdir(instance.dbPath, { recursive: true, mode: 0o700 });
      // mongodb-memory-server creates the user in an empty dbPath; data written without
      // authentication (by an earlier version) needs it created once (`force`).
      force = !existsSync(path.join(options.dataDir, PASSWORD_FILE)) && readdirSync(instance.dbPath).length > 0;
      password = readOrCreateSecret(options.dataDir, PASSWORD_FILE);
    }
    const created = await MongoMemoryServer.create({
      instance,
      binary,
      auth: { enable: true, customRootName: USER, customRootPwd: password, force },
      // Its own process group: a Ctrl-C reaches the app, which stops mongod after the requests in flight.
      spawn: { detached: true },
    });
    return { created, password };
  });
  const mongod = server.created.instanceInfo?.instance;
  let stopping = false;
  // mongod is not restarted here: the app stops with one line (mongodb-memory-server already
  // kills mongod when this process dies, through its own watchdog).
  (mongod as EventEmitter | undefined)?.once('instanceClosed', (code: number | null, signal: string | null) => {
    if (!stopping) options.onFailure?.(`mongod ${signal ? `was killed by ${signal}` : `exited with code ${String(code)}`}`);
  });
  options.logger?.info(
    { dbPath: instance.dbPath ?? 'temporary', databasePid: mongod?.mongodProcess?.pid },
    `started MongoDB (mongodb-memory-server${systemBinary ? `, ${systemBinary}` : ''}) with authentication`,
  );
  const credentials = `${encodeURIComponent(USER)}:${encodeURIComponent(server.password)}@`;
  return {
    kind: 'mongodb-memory-server',
    uri: server.created.getUri().replace('mongodb://', `mongodb://${credentials}`) + '?authSource=admin',
    get pid() {
      return mongod?.mongodProcess?.pid;
    },
    stop: async () => {
      stopping = true;
      await server.created.stop({ doCleanup: true, force: false });
    },
  };
}

/** mongodb-memory-server reads its settings from process.env at call time; set defaults the user did not set. */
async function withEnvDefaults<T>(defaults: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const added = Object.keys(defaults).filter((key) => process.env[key] === undefined);
  for (const key of added) process.env[key] = defaults[key];
  try {
    return await run();
  } finally {
    for (const key of added) delete process.env[key];
  }
}
