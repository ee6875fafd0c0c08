// Push requests we created (each by the id its provider gave it), and the one-time claims that
// make a callback delivery (an Authy nonce, a Verify event) usable once and a request leave
// `pending` once (db/claim.ts). Each document carries its own expiry date (swept on FerretDB,
// TTL index on MongoDB). Earlier versions used other names: push-data-migration.ts moves their data.
import { Schema, type Connection, type Model } from 'mongoose';
import { APPROVAL_STATUSES, type ApprovalStatus, type FinalApprovalStatus } from '../../common/approval-status';
import { claimOnce, claimsExpiry, claimsModel, type Claim } from '../db/claim';
import { isDuplicateKey } from '../db/duplicate-key';
import { HttpError } from '../http/errors';
import type { ExpirySpec } from '../db/expiry';
import { modelOn } from '../db/model-on';

export interface ApprovalRecord {
  /** The provider's id of the push request (Authy's approval request uuid, Verify's Challenge sid). */
  pushId: string;
  userId: string;
  status: ApprovalStatus;
  expiresAt: Date;
}

export const APPROVALS_COLLECTION = 'approval_requests';
export const CLAIMS_COLLECTION = 'push_claims';

const approvalSchema = new Schema<ApprovalRecord>(
  {
    pushId: { type: String, required: true, unique: true },
    userId: { type: String, required: true },
    status: { type: String, required: true, enum: APPROVAL_STATUSES },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export const EXPIRING_COLLECTIONS: readonly ExpirySpec[] = [
  { collection: APPROVALS_COLLECTION, field: 'expiresAt' },
  claimsExpiry(CLAIMS_COLLECTION),
];

/** Our record of a request outlives Authy's ttl a little, so a late poll still finds the outcome. */
const RECORD_LIFETIME_MS = 12 * 60 * 1000;
/** Deliveries are remembered this long; each callback carries a fresh nonce or event id. */
const CLAIM_LIFETIME_MS = 24 * 60 * 60 * 1000;

export class ApprovalStore {
  private readonly approvals: Model<ApprovalRecord>;
  private readonly claims: Model<Claim>;

  constructor(
    connection: Connection,
    private readonly now: () => number,
  ) {
    this.approvals = modelOn(connection, 'Approval', approvalSchema, APPROVALS_COLLECTION);
    this.claims = claimsModel(connection, CLAIMS_COLLECTION);
  }

  /**
   * Records a request the provider just created. An id we already hold (the provider answered
   * with an old one) is the provider's fault, not a crash: a 502.
   */
  async create(pushId: string, userId: string): Promise<void> {
    try {
      await this.approvals.create({ pushId, userId, status: 'pending', expiresAt: new Date(this.now() + RECORD_LIFETIME_MS) });
    } catch (err) {
      if (isDuplicateKey(err)) throw new HttpError(502, 'The 2FA provider answered with a push request it had given before.');
      throw err;
    }
  }

  /** The request if it belongs to this user. */
  find(pushId: string, userId: string) {
    return this.approvals.findOne({ pushId, userId }).lean();
  }

  async exists(pushId: string): Promise<boolean> {
    return (await this.approvals.exists({ pushId })) !== null;
  }

  private claim(id: string): Promise<boolean> {
    return claimOnce(this.claims, id, new Date(this.now() + CLAIM_LIFETIME_MS));
  }

  /** True the first time a callback delivery (its provider's unique id) is seen. */
  acceptDelivery(id: string): Promise<boolean> {
    return this.claim(id);
  }

  /** Moves a request from pending to its final status; false if it already left pending. */
  async finalize(pushId: string, status: FinalApprovalStatus): Promise<boolean> {
    if (!(await this.claim(`final:${pushId}`))) return false;
    await this.approvals.updateOne({ pushId }, { $set: { status } });
    return true;
  }
}
