// Password reset links: a random token in the link, only its SHA-256 at rest (a 256-bit token
// cannot be guessed from its hash, so a fast hash is enough), valid RESET_LINK_MINUTES. Using a
// link is the insert of a claim named by its hash: of two requests with the same link at once,
// exactly one inserts it, on FerretDB (no transactions) as on MongoDB (docs/architecture.md,
// "Claims"). A reset voids the user's other links.
import { createHash, randomBytes } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { Connection, Model } from 'mongoose';
import { RESET_LINK_MINUTES } from '../../common/account-rules';
import { claimOnce, claimsExpiry, claimsModel, type Claim } from '../db/claim';
import type { ExpirySpec } from '../db/expiry';

const LINKS_COLLECTION = 'password_resets';
const CLAIMS_COLLECTION = 'password_reset_claims';
export const EXPIRING_COLLECTIONS: readonly ExpirySpec[] = [
  { collection: LINKS_COLLECTION, field: 'expiresAt' },
  claimsExpiry(CLAIMS_COLLECTION),
];

interface ResetLink {
  /** The SHA-256 of the token, hex: the token itself is never stored. */
  _id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}

/** What a link's token looks like (32 random bytes, base64url): anything else is refused unread. */
export const RESET_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const resetTokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export class ResetLinks {
  private readonly links: Collection<ResetLink>;
  private readonly claims: Model<Claim>;
  private indexed?: Promise<unknown>;

  constructor(
    connection: Connection,
    private readonly now: () => number,
  ) {
    this.links = connection.collection<ResetLink>(LINKS_COLLECTION);
    this.claims = claimsModel(connection, CLAIMS_COLLECTION);
  }

  /** A new link's token for the user (the caller mails it and forgets it). */
  async issue(userId: string): Promise<string> {
    this.indexed ??= this.links.createIndex({ userId: 1 });
    await this.indexed;
    const token = randomBytes(32).toString('base64url');
    const now = this.now();
    await this.links.insertOne({
      _id: resetTokenHash(token),
      userId,
      createdAt: new Date(now),
      expiresAt: new Date(now + RESET_LINK_MINUTES * 60_000),
    });
    return token;
  }

  /** The user a live, unused link is for; null for a link that is not (made up, expired, used, voided). */
  async check(token: string): Promise<{ userId: string; hash: string; expiresAt: Date } | null> {
    if (!RESET_TOKEN_PATTERN.test(token)) return null;
    const hash = resetTokenHash(token);
    const link = await this.links.findOne({ _id: hash, expiresAt: { $gt: new Date(this.now()) } });
    return link && { userId: link.userId, hash, expiresAt: link.expiresAt };
  }

  /** Uses the link checked: true for the one caller that claims it first. */
  async use(link: { hash: string; expiresAt: Date }): Promise<boolean> {
    if (!(await claimOnce(this.claims, link.hash, link.expiresAt))) return false;
    // Voided meanwhile (another link of the user was used a moment before)?
    return (await this.links.findOne({ _id: link.hash }, { projection: { _id: 1 } })) !== null;
  }

  /** After a reset: every link of the user stops working. */
  async voidAll(userId: string): Promise<void> {
    await this.links.deleteMany({ userId });
  }
}
