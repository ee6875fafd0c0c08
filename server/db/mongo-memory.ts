// mongodb-memory-server: a real mongod, downloaded on first use (which fails offline).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { findOnPath } from './executables';
import type { EmbeddedDatabase, EmbeddedOptions, Env } from './embedded';

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
    // Only once a mongod is at hand: an empty .data/mongodb would say MongoDB ran when it did not.
    if (instance.dbPath) await mkdir(instance.dbPath, { recursive: true, mode: 0o700 });
    return MongoMemoryServer.create({ instance, binary });
  });
  options.logger?.info(
    { dbPath: instance.dbPath ?? 'temporary' },
    `started MongoDB (mongodb-memory-server${systemBinary ? `, ${systemBinary}` : ''})`,
  );
  return {
    kind: 'mongodb-memory-server',
    uri: server.getUri(),
    stop: async () => {
      await server.stop({ doCleanup: true, force: false });
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
