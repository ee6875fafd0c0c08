// Push (OneTouch) approval requests we created, and the one-time claims that make a callback
// nonce usable once and a request leave `pending` once. Claims are inserts on a unique _id,
// the one write FerretDB v1 makes atomically (its conditional updates can race).
// Each document carries its own expiry date (swept on FerretDB, TTL index on MongoDB).
import { Schema, type Connection, type Model } from 'mongoose';
import type { ApprovalStatus } from '../authy/authy-api';
import { isDuplicateKey } from '../db/duplicate-key';

export interface ApprovalRecord {
  uuid: string;
  userId: string;
  status: ApprovalStatus;
  expiresAt: Date;
}

interface Claim {
  _id: string;
  expiresAt: Date;
}

const approvalSchema = new Schema<ApprovalRecord>(
  {
    uuid: { type: String, required: true, unique: true },
    userId: { type: String, required: true },
    status: { type: String, required: true, enum: ['pending', 'approved', 'denied', 'expired'] },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'approval_requests', versionKey: false },
);

const claimSchema = new Schema<Claim>(
  { _id: { type: String, required: true }, expiresAt: { type: Date, required: true } },
  { collection: 'onetouch_claims', versionKey: false },
);

export const EXPIRING_COLLECTIONS = [
  { collection: 'approval_requests', field: 'expiresAt' },
  { collection: 'onetouch_claims', field: 'expiresAt' },
];

/** Our record of a request outlives Authy's ttl a little, so a late poll still finds the outcome. */
const RECORD_LIFETIME_MS = 12 * 60 * 1000;
/** Nonces are remembered this long; Authy signs each callback with a fresh one. */
const CLAIM_LIFETIME_MS = 24 * 60 * 60 * 1000;

export class ApprovalStore {
  private readonly approvals: Model<ApprovalRecord>;
  private readonly claims: Model<Claim>;

  constructor(
    connection: Connection,
    private readonly now: () => number,
  ) {
    this.approvals =
      (connection.models.Approval as Model<ApprovalRecord> | undefined) ?? connection.model<ApprovalRecord>('Approval', approvalSchema);
    this.claims = (connection.models.OnetouchClaim as Model<Claim> | undefined) ?? connection.model<Claim>('OnetouchClaim', claimSchema);
  }

  async create(uuid: string, userId: string): Promise<void> {
    await this.approvals.create({ uuid, userId, status: 'pending', expiresAt: new Date(this.now() + RECORD_LIFETIME_MS) });
  }

  /** The request if it belongs to this user. */
  find(uuid: string, userId: string) {
    return this.approvals.findOne({ uuid, userId }).lean();
  }

  async exists(uuid: string): Promise<boolean> {
    return (await this.approvals.exists({ uuid })) !== null;
  }

  /** True the first time a value is claimed, false ever after. */
  private async claim(id: string): Promise<boolean> {
    try {
      await this.claims.create({ _id: id, expiresAt: new Date(this.now() + CLAIM_LIFETIME_MS) });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  acceptNonce(nonce: string): Promise<boolean> {
    return this.claim(`nonce:${nonce}`);
  }

  /** Moves a request from pending to its final status; false if it already left pending. */
  async finalize(uuid: string, status: Exclude<ApprovalStatus, 'pending'>): Promise<boolean> {
    if (!(await this.claim(`final:${uuid}`))) return false;
    await this.approvals.updateOne({ uuid }, { $set: { status } });
    return true;
  }
}
