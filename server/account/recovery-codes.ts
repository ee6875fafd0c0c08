// Each user's recovery codes: one set of RECOVERY_CODES_PER_SET at a time, each usable once.
//
// A set is one document, `_id` "<userId>/<n>" (n = 1, 2, …), holding the codes' hashes; the
// newest set is the user's. Making a set is one insert, so it appears whole or not at all, and two
// makers of the same n cannot both win: the first set is made once even when two tabs ask at
// once. Older sets (and their uses) are deleted after, and never count meanwhile.
//
// Using a code is the insert of `<set id>/<index>` into `recovery_code_uses`: of two requests
// with the same code at once exactly one inserts it (docs/architecture.md, "Claims"). Nothing
// here expires: a set lasts until the next one.
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import { RECOVERY_CODES_PER_SET } from '../../common/account-api';
import { isDuplicateKey } from '../db/duplicate-key';
import { HttpError } from '../http/errors';
import { safeEqual } from '../platform/safe-equal';
import { newRecoveryCode, normaliseRecoveryCode, recoveryCodeHash } from './recovery-code';

interface CodeSet {
  _id: string;
  userId: string;
  n: number;
  hashes: string[];
  createdAt: Date;
}

interface CodeUse {
  _id: string;
  userId: string;
  setId: string;
  usedAt: Date;
}

export interface RecoveryStatus {
  remaining: number;
  total: number;
  createdAt: Date;
}

export class RecoveryCodes {
  private readonly sets: Collection<CodeSet>;
  private readonly uses: Collection<CodeUse>;
  private indexed?: Promise<unknown>;

  constructor(
    connection: Connection,
    private readonly now: () => number,
  ) {
    this.sets = connection.collection<CodeSet>('recovery_code_sets');
    this.uses = connection.collection<CodeUse>('recovery_code_uses');
  }

  private current(userId: string): Promise<CodeSet | null> {
    return this.sets.findOne({ userId }, { sort: { n: -1 } });
  }

  private async remaining(set: CodeSet): Promise<number> {
    return set.hashes.length - (await this.uses.countDocuments({ setId: set._id }));
  }

  /** Codes left in the user's set, or null before the first set. */
  async status(userId: string): Promise<RecoveryStatus | null> {
    const set = await this.current(userId);
    return set && { remaining: await this.remaining(set), total: set.hashes.length, createdAt: set.createdAt };
  }

  /**
   * A new set for the user, in place of the old one: its codes, shown this once. `first`: only if
   * the user has none yet (null otherwise). A set made by another request at the same moment wins
   * (a 409, or null for the first).
   */
  async generate(userId: string, { first = false } = {}): Promise<string[] | null> {
    this.indexed ??= Promise.all([this.sets.createIndex({ userId: 1, n: -1 }), this.uses.createIndex({ setId: 1 })]);
    await this.indexed;
    const previous = await this.current(userId);
    if (first && previous) return null;
    const n = (previous?.n ?? 0) + 1;
    const codes = Array.from({ length: RECOVERY_CODES_PER_SET }, newRecoveryCode);
    const hashes = codes.map((code) => recoveryCodeHash(userId, normaliseRecoveryCode(code)!));
    try {
      await this.sets.insertOne({ _id: `${userId}/${n}`, userId, n, hashes, createdAt: new Date(this.now()) });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      if (first) return null;
      throw new HttpError(409, 'New recovery codes were made at this moment elsewhere: reload the page to see how many are left.');
    }
    await this.sets.deleteMany({ userId, n: { $lt: n } });
    await this.uses.deleteMany({ userId, setId: { $ne: `${userId}/${n}` } });
    return codes;
  }

  /** Uses one of the user's codes: how many are left, or null for a wrong, used or voided code. */
  async use(userId: string, typed: string): Promise<{ remaining: number } | null> {
    const code = normaliseRecoveryCode(typed);
    const set = code === undefined ? null : await this.current(userId);
    if (!code || !set) return null;
    const hash = recoveryCodeHash(userId, code);
    // Every stored hash is compared, so the time taken says nothing about which one matched.
    const index = set.hashes.reduce((found, stored, i) => (safeEqual(stored, hash) ? i : found), -1);
    if (index < 0) return null;
    try {
      await this.uses.insertOne({ _id: `${set._id}/${index}`, userId, setId: set._id, usedAt: new Date(this.now()) });
    } catch (err) {
      if (isDuplicateKey(err)) return null;
      throw err;
    }
    // A new set made in the meantime voids this one, this code included.
    if (!(await this.sets.findOne({ _id: set._id }, { projection: { _id: 1 } }))) return null;
    return { remaining: await this.remaining(set) };
  }
}
