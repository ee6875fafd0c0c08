/** MongoDB's (and FerretDB's) "duplicate key" error: a unique _id or index was already taken. */
export const isDuplicateKey = (err: unknown): boolean => (err as { code?: number } | null)?.code === 11000;
