// Earlier versions named the push data after Authy's OneTouch: the claims (callback deliveries
// seen, requests answered) were in `onetouch_claims`, and a push request's id was its `uuid`
// field. This moves both to the neutral names without losing a pending claim or request: a lost
// claim would let a replayed callback through. It runs at start-up, before the app serves, and
// does nothing once done. No transactions (FerretDB v1 has none): each step can be repeated, so
// two processes running it at once, or one stopped half-way, leave nothing behind.
import type { Connection } from 'mongoose';
import type { Collection, Db, Document } from 'mongodb';
import { isDuplicateKey } from '../db/duplicate-key';
import { APPROVALS_COLLECTION, CLAIMS_COLLECTION } from './approval-store';

const OLD_CLAIMS_COLLECTION = 'onetouch_claims';
const OLD_ID_FIELD = 'uuid';
/** The unique index mongoose made on the old field: it would see every renamed request as a duplicate null. */
const OLD_ID_INDEX = 'uuid_1';
const COPY_BATCH = 500;

const NAMESPACE_NOT_FOUND = 26;
const INDEX_NOT_FOUND = 27;

export interface PushDataMoved {
  claims: number;
  requests: number;
}

export async function migratePushData(connection: Connection): Promise<PushDataMoved> {
  const db = connection.db;
  if (!db) throw new Error('migratePushData: the connection is not open');
  return { claims: await moveClaims(db), requests: await renameRequestIds(db) };
}

/** Copies every old claim into the new collection (one already there stays), then drops the old one. */
async function moveClaims(db: Db): Promise<number> {
  if ((await db.listCollections({ name: OLD_CLAIMS_COLLECTION }, { nameOnly: true }).toArray()).length === 0) return 0;
  const from = db.collection(OLD_CLAIMS_COLLECTION);
  const to = db.collection(CLAIMS_COLLECTION);
  let moved = 0;
  const batch: Document[] = [];
  for await (const claim of from.find({})) {
    batch.push(claim);
    if (batch.length === COPY_BATCH) moved += await insertMissing(to, batch.splice(0));
  }
  moved += await insertMissing(to, batch);
  await from.drop().catch(ignoreCode(NAMESPACE_NOT_FOUND));
  return moved;
}

/** Inserts the documents whose _id is not there yet; the count inserted. */
async function insertMissing(to: Collection, docs: Document[]): Promise<number> {
  if (docs.length === 0) return 0;
  try {
    return (await to.insertMany(docs, { ordered: false })).insertedCount;
  } catch (err) {
    // The driver's MongoBulkWriteError: one write error or several.
    const e = err as { writeErrors?: unknown; insertedCount?: number };
    const writeErrors = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors ?? err];
    if (!writeErrors.every(isDuplicateKey)) throw err;
    return e.insertedCount ?? 0;
  }
}

/** `uuid` → `pushId` on every push request, after dropping the old field's unique index. */
async function renameRequestIds(db: Db): Promise<number> {
  const requests = db.collection(APPROVALS_COLLECTION);
  await requests.dropIndex(OLD_ID_INDEX).catch(ignoreCode(NAMESPACE_NOT_FOUND, INDEX_NOT_FOUND));
  // The native driver: mongoose's sanitizeFilter would neutralise `$exists`.
  const result = await requests.updateMany({ [OLD_ID_FIELD]: { $exists: true } }, { $rename: { [OLD_ID_FIELD]: 'pushId' } });
  return result.modifiedCount;
}

const ignoreCode =
  (...codes: number[]) =>
  (err: unknown) => {
    if (!codes.includes((err as { code?: unknown }).code as number)) throw err;
  };
