/**
 * MongoDB's (and FerretDB's) "duplicate key" error: a unique _id or index was already taken.
 * FerretDB v1 on SQLite reports it with code 11000 on insert, but on update only as an internal
 * error carrying SQLite's message.
 */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; message?: unknown } | null;
  return e?.code === 11000 || (e?.code === 1 && typeof e.message === 'string' && e.message.includes('UNIQUE constraint failed'));
}
