// The passkeys people registered: one document per credential in `passkeys`. A person has at
// most MAX_PASSKEYS, each in a numbered place whose _id is "<userId>/<place>": inserting a
// taken _id is the one write with exactly one winner on MongoDB and FerretDB alike, so two
// enrolments at once cannot pass the limit (see docs/architecture.md, "Claims"). Beside them,
// the claims that make each ceremony's challenge usable once.
import { Schema, type Connection, type Model } from 'mongoose';
import { MAX_PASSKEYS, type PasskeySummary } from '../../common/passkey-info';
import { claimOnce, claimsExpiry, claimsModel, type Claim } from '../db/claim';
import { isDuplicateKey } from '../db/duplicate-key';
import type { ExpirySpec } from '../db/expiry';
import { modelOn } from '../db/model-on';
import { HttpError } from '../http/errors';

const CLAIMS_COLLECTION = 'passkey_claims';
export const EXPIRING_COLLECTIONS: readonly ExpirySpec[] = [claimsExpiry(CLAIMS_COLLECTION)];

export interface PasskeyRecord {
  /** "<userId>/<place>", place 0 … MAX_PASSKEYS-1. */
  _id: string;
  /** base64url, as the browser reports it; unique across all users. */
  credentialId: string;
  userId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The highest signature counter seen (0: the authenticator keeps none). */
  counter: number;
  transports: string[];
  /** Backed up and synced across devices (a "multi-device" credential). */
  synced: boolean;
  name: string;
  createdAt: Date;
  lastUsedAt?: Date;
}

const passkeySchema = new Schema<PasskeyRecord>(
  {
    _id: { type: String, required: true },
    credentialId: { type: String, required: true, unique: true },
    userId: { type: String, required: true, index: true },
    publicKey: { type: String, required: true },
    counter: { type: Number, required: true },
    transports: { type: [String], default: [] },
    synced: { type: Boolean, required: true },
    name: { type: String, required: true },
    createdAt: { type: Date, required: true },
    lastUsedAt: { type: Date },
  },
  { collection: 'passkeys', versionKey: false, strict: 'throw' },
);

export type NewPasskey = Omit<PasskeyRecord, '_id' | 'name' | 'createdAt' | 'lastUsedAt'>;

export const summaryOf = (p: PasskeyRecord): PasskeySummary => ({
  id: p.credentialId,
  name: p.name,
  createdAt: p.createdAt.toISOString(),
  lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
  synced: p.synced,
});

export const tooManyPasskeys = () => new HttpError(409, `You already have ${MAX_PASSKEYS} passkeys, the most allowed: remove one first.`);

export class PasskeyStore {
  private readonly passkeys: Model<PasskeyRecord>;
  private readonly claims: Model<Claim>;
  private indexed?: Promise<unknown>;

  constructor(
    connection: Connection,
    private readonly now: () => number,
  ) {
    this.passkeys = modelOn(connection, 'Passkey', passkeySchema);
    this.claims = claimsModel(connection, CLAIMS_COLLECTION);
  }

  /** True for the one request that uses `challenge`; it is remembered until it expires anyway. */
  claimChallenge(challenge: string, expiresAt: number): Promise<boolean> {
    return claimOnce(this.claims, `challenge:${challenge}`, new Date(expiresAt));
  }

  /** A user's passkeys, oldest first. */
  list(userId: string): Promise<PasskeyRecord[]> {
    return this.passkeys.find({ userId }).sort({ createdAt: 1 }).lean();
  }

  async count(userId: string): Promise<number> {
    return this.passkeys.countDocuments({ userId });
  }

  /** The passkey with this credential id; only if it is `userId`'s when one is given. */
  find(credentialId: string, userId?: string): Promise<PasskeyRecord | null> {
    return this.passkeys.findOne(userId === undefined ? { credentialId } : { credentialId, userId }).lean();
  }

  /** Stores a new passkey in the user's first free place; 409 when it is registered already or all places are taken. */
  async add(passkey: NewPasskey): Promise<PasskeyRecord> {
    this.indexed ??= this.passkeys.init();
    await this.indexed;
    // A lost race for a place retries with the places taken meanwhile.
    for (let tries = 0; tries < MAX_PASSKEYS; tries++) {
      if (await this.passkeys.exists({ credentialId: passkey.credentialId })) throw alreadyRegistered();
      const taken = new Set((await this.passkeys.find({ userId: passkey.userId }, { _id: 1 }).lean()).map((p) => p._id));
      const place = Array.from({ length: MAX_PASSKEYS }, (_, i) => i).find((i) => !taken.has(`${passkey.userId}/${i}`));
      if (place === undefined) throw tooManyPasskeys();
      const record: PasskeyRecord = {
        ...passkey,
        _id: `${passkey.userId}/${place}`,
        name: `Passkey ${place + 1}`,
        createdAt: new Date(this.now()),
      };
      try {
        await this.passkeys.create(record);
        return record;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
    throw tooManyPasskeys();
  }

  /** Renames one of the user's passkeys; null when the user has none with that id. */
  async rename(userId: string, credentialId: string, name: string): Promise<PasskeyRecord | null> {
    return this.passkeys.findOneAndUpdate({ credentialId, userId }, { $set: { name } }, { returnDocument: 'after' }).lean();
  }

  /** Removes one of the user's passkeys; false when the user has none with that id. */
  async remove(userId: string, credentialId: string): Promise<boolean> {
    return (await this.passkeys.deleteOne({ credentialId, userId })).deletedCount === 1;
  }

  /** After a verified use: the time, and the counter when it moved forward. */
  async recordUse(passkey: PasskeyRecord, counter: number): Promise<void> {
    const set: Partial<PasskeyRecord> = { lastUsedAt: new Date(this.now()) };
    if (counter > passkey.counter) set.counter = counter;
    await this.passkeys.updateOne({ _id: passkey._id }, { $set: set });
  }
}

const alreadyRegistered = () => new HttpError(409, 'This passkey is already registered.');
