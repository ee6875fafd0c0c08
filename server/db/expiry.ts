// Expiring documents: TTL indexes on MongoDB; on FerretDB v1 (no TTL indexes) a periodic delete.
// Documents carry their absolute expiry date in `field`.
import type { Connection } from 'mongoose';

export interface ExpirySpec {
  collection: string;
  field: string;
}

export interface ExpiryHandle {
  stop(): void;
}

export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

export async function ensureExpiry(
  connection: Connection,
  isFerretDB: boolean,
  specs: readonly ExpirySpec[],
  options: { intervalMs?: number; onError?: (err: unknown) => void } = {},
): Promise<ExpiryHandle> {
  const db = openDb(connection);
  for (const { collection, field } of specs) {
    // On FerretDB a plain index still serves the sweep's range query.
    await db.collection(collection).createIndex({ [field]: 1 }, isFerretDB ? {} : { expireAfterSeconds: 0 });
  }
  if (!isFerretDB) return { stop() {} };

  let running = false;
  const sweep = () => {
    if (running) return; // a slow pass is not stacked with the next one
    running = true;
    sweepExpired(connection, specs)
      .catch((err: unknown) => options.onError?.(err))
      .finally(() => (running = false));
  };
  sweep(); // leftovers from the previous run go now, not in a minute
  const timer = setInterval(sweep, options.intervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** One pass: deletes the documents whose expiry date has passed (normal write concern, never w:0). */
export async function sweepExpired(connection: Connection, specs: readonly ExpirySpec[]): Promise<number> {
  const db = openDb(connection);
  const now = new Date();
  let deleted = 0;
  for (const { collection, field } of specs) {
    // The native driver, not a mongoose model: sanitizeFilter would neutralise `$lt`.
    const result = await db.collection(collection).deleteMany({ [field]: { $lt: now } });
    deleted += result.deletedCount;
  }
  return deleted;
}

function openDb(connection: Connection) {
  const db = connection.db;
  if (!db) throw new Error('expiry: the connection is not open');
  return db;
}
