// "Only once" without transactions: inserting a document with a unique _id has exactly one
// winner on MongoDB and on FerretDB v1 alike, whereas FerretDB v1's conditional updates can let
// several concurrent callers match. So using a code, answering a push request or accepting a
// nonce is the insert of a claim. See docs/architecture.md, "Claims".
import { Schema, type Connection, type Model } from 'mongoose';
import type { ExpirySpec } from './expiry';
import { isDuplicateKey } from './duplicate-key';
import { modelOn } from './model-on';

export interface Claim {
  _id: string;
  expiresAt: Date;
}

const claimSchema = new Schema<Claim>(
  { _id: { type: String, required: true }, expiresAt: { type: Date, required: true } },
  { versionKey: false, autoIndex: false },
);

/** The model of a claims collection; each collection's documents expire at `expiresAt`. */
export function claimsModel(connection: Connection, collection: string): Model<Claim> {
  return modelOn(connection, `Claim:${collection}`, claimSchema, collection);
}

export const claimsExpiry = (collection: string): ExpirySpec => ({ collection, field: 'expiresAt' });

/** True for the one caller that inserts `id`, false for every other (until the claim expires). */
export async function claimOnce(claims: Model<Claim>, id: string, expiresAt: Date): Promise<boolean> {
  try {
    await claims.create({ _id: id, expiresAt });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}
