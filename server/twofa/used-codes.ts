// The codes a user passed 2FA with in the last minutes, so a wrong answer that is one of them
// again can say "already used, wait for the next one" instead of "not valid". Neither Authy nor
// Verify tells a reused code from a wrong one (both answer it as not valid), so the app keeps
// this itself: a hash of user and code per document, gone after USED_CODE_MS. A used code
// signs nobody in, and its hash is never sent or logged.
import { createHash } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import { isDuplicateKey } from '../db/duplicate-key';
import type { ExpirySpec } from '../db/expiry';

const COLLECTION = 'used_codes';
export const EXPIRING_COLLECTIONS: readonly ExpirySpec[] = [{ collection: COLLECTION, field: 'expiresAt' }];

/** As long as a code sent by SMS or call lives (a TOTP code's window is shorter). */
const USED_CODE_MS = 10 * 60 * 1000;

interface UsedCode {
  _id: string;
  expiresAt: Date;
}

const idOf = (userId: string, code: string) => createHash('sha256').update(`${userId}:${code}`).digest('hex');

export class UsedCodes {
  private readonly codes: Collection<UsedCode>;

  constructor(
    connection: Connection,
    private readonly now: () => number,
  ) {
    this.codes = connection.collection<UsedCode>(COLLECTION);
  }

  async remember(userId: string, code: string): Promise<void> {
    try {
      await this.codes.insertOne({ _id: idOf(userId, code), expiresAt: new Date(this.now() + USED_CODE_MS) });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  async wasUsed(userId: string, code: string): Promise<boolean> {
    return (await this.codes.findOne({ _id: idOf(userId, code), expiresAt: { $gt: new Date(this.now()) } })) !== null;
  }
}
