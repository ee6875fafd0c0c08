// The passkeys people registered: one document per credential in `passkeys`. A person has at
// most MAX_PASSKEYS, each in a numbered place whose _id is "<userId>/<place>": inserting a
// taken _id is the one write with exactly one winner on MongoDB and FerretDB alike, so two
// enrolments at once cannot pass the limit (see docs/architecture.md, "Claims"). Beside them,
// the claims that make each ceremony's challenge usable once, and the signature counters seen.
import { Schema, trusted, type Connection, type Model } from 'mongoose';
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
  /**
   * The counter at registration. Read through PasskeyStore.find, the highest signature counter
   * seen since (0: the authenticator keeps none).
   */
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

/**
 * A signature counter a passkey used: one document per value, _id "<credentialId>/<counter>". Two
 * uses of one value cannot both insert it, and the highest left is the passkey's counter: it
 * never goes back, even when sign-ins finish out of order (FerretDB v1's conditional updates are
 * not atomic, so a "set it if higher" update could let a lower value land last).
 */
interface CounterSeen {
  _id: string;
  credentialId: string;
  counter: number;
}

const counterSchema = new Schema<CounterSeen>(
  { _id: { type: String, required: true }, credentialId: { type: String, required: true }, counter: { type: Number, required: true } },
  { collection: 'passkey_counters', versionKey: false, strict: 'throw' },
);
counterSchema.index({ credentialId: 1, counter: -1 });

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
  private readonly counters: Model<CounterSeen>;
  private indexed?: Promise<unknown>;
  private countersIndexed?: Promise<unknown>;

  constructor(
    connection: Connection,
    private readonly now: () => number,
  ) {
    this.passkeys = modelOn(connection, 'Passkey', passkeySchema);
    this.claims = claimsModel(connection, CLAIMS_COLLECTION);
    this.counters = modelOn(connection, 'PasskeyCounter', counterSchema);
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

  /** The passkey with this credential id, with the highest counter seen; only if it is `userId`'s when one is given. */
  async find(credentialId: string, userId?: string): Promise<PasskeyRecord | null> {
    const passkey = await this.passkeys.findOne(userId === undefined ? { credentialId } : { credentialId, userId }).lean();
    if (!passkey) return null;
    const highest = await this.counters.findOne({ credentialId }).sort({ counter: -1 }).lean();
    return highest && highest.counter > passkey.counter ? { ...passkey, counter: highest.counter } : passkey;
  }

  /**
   * Stores a new passkey in the user's first free place; 409 when it is registered already or all
   * places are taken. Its name is `madeOn` ("Chrome on Linux"), numbered when the user has one
   * of that name already ("Chrome on Linux 2"); without it, "Passkey <place>".
   */
  async add(passkey: NewPasskey, madeOn?: string): Promise<PasskeyRecord> {
    this.indexed ??= this.passkeys.init();
    await this.indexed;
    // A lost race for a place retries with the places taken meanwhile.
    for (let tries = 0; tries < MAX_PASSKEYS; tries++) {
      if (await this.passkeys.exists({ credentialId: passkey.credentialId })) throw alreadyRegistered();
      const mine = await this.passkeys.find({ userId: passkey.userId }, { _id: 1, name: 1 }).lean();
      const taken = new Set(mine.map((p) => p._id));
      const place = Array.from({ length: MAX_PASSKEYS }, (_, i) => i).find((i) => !taken.has(`${passkey.userId}/${i}`));
      if (place === undefined) throw tooManyPasskeys();
      const record: PasskeyRecord = {
        ...passkey,
        _id: `${passkey.userId}/${place}`,
        name: madeOn ? freeName(madeOn, new Set(mine.map((p) => p.name))) : `Passkey ${place + 1}`,
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

  /** Removes one of the user's passkeys; null when the user has none with that id. */
  async remove(userId: string, credentialId: string): Promise<PasskeyRecord | null> {
    const removed = await this.passkeys.findOneAndDelete({ credentialId, userId }).lean();
    if (removed) await this.counters.deleteMany({ credentialId });
    return removed;
  }

  /**
   * After a verified use: its counter is taken (false when another use took that value first: a
   * copied authenticator), the lower ones are dropped, and the time is kept. A counter of 0 (the
   * authenticator keeps none) takes nothing.
   */
  async recordUse(passkey: PasskeyRecord, counter: number): Promise<boolean> {
    if (counter > 0) {
      this.countersIndexed ??= this.counters.init();
      await this.countersIndexed;
      try {
        await this.counters.create({ _id: `${passkey.credentialId}/${counter}`, credentialId: passkey.credentialId, counter });
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
      await this.counters.deleteMany({ credentialId: passkey.credentialId, counter: trusted({ $lt: counter }) });
    }
    await this.passkeys.updateOne({ _id: passkey._id }, { $set: { lastUsedAt: new Date(this.now()) } });
    return true;
  }
}

/** `base`, or the first of "base 2", "base 3"… that is not in `names`. */
function freeName(base: string, names: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base} ${n}`;
    if (!names.has(name)) return name;
  }
}

const alreadyRegistered = () => new HttpError(409, 'This passkey is already registered.');
