// One soft-token enrolment at a time per user. Verify returns an already verified factor
// unchanged whatever code it is sent, so a wrong code tried while the owner's first code
// verifies the factor would read "verified" and pass. Holding this lock around "read the
// factor, then verify it with this code" makes "verified" mean "this code verified it". A lock
// is a claim (db/claim.ts: one insert, one winner), given back when done; one whose holder died
// is taken over once it has expired.
import { trusted, type Connection, type Model } from 'mongoose';
import { claimOnce, claimsExpiry, claimsModel, type Claim } from '../db/claim';
import type { ExpirySpec } from '../db/expiry';
import { HttpError } from '../http/errors';

const LOCKS_COLLECTION = 'enrolment_locks';
export const EXPIRING_COLLECTIONS: readonly ExpirySpec[] = [claimsExpiry(LOCKS_COLLECTION)];

/** Longer than any enrolment takes (two Verify calls of at most 10 s each). */
const HOLD_MS = 30_000;

export class EnrolmentLock {
  private readonly locks: Model<Claim>;

  constructor(
    connection: Connection,
    private readonly now: () => number,
  ) {
    this.locks = claimsModel(connection, LOCKS_COLLECTION);
  }

  /** Runs `enrol` holding the user's lock; a 409 (no attempt made) while another enrolment holds it. */
  async hold<T>(userId: string, enrol: () => Promise<T>): Promise<T> {
    const id = `enrol:${userId}`;
    const now = new Date(this.now());
    const take = () => claimOnce(this.locks, id, new Date(now.getTime() + HOLD_MS));
    let mine = await take();
    if (!mine && (await this.locks.deleteOne({ _id: id, expiresAt: trusted({ $lte: now }) })).deletedCount === 1) mine = await take();
    if (!mine) throw new HttpError(409, 'Another code for this account is being checked. Please try again in a moment.', 'token');
    try {
      return await enrol();
    } finally {
      // Should this fail (the database gone), the lock expires by itself.
      await this.locks.deleteOne({ _id: id }).catch(() => undefined);
    }
  }
}
