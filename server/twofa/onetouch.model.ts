// Push (OneTouch) approval requests we created, and the callback nonces already seen.
// Each document carries its own expiry date (swept on FerretDB, TTL index on MongoDB).
import { Schema, type Connection, type Model } from 'mongoose';
import type { ApprovalStatus } from '../authy/authy-api';

export interface ApprovalRecord {
  uuid: string;
  userId: string;
  status: ApprovalStatus;
  expiresAt: Date;
}

export interface CallbackNonce {
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

const nonceSchema = new Schema<CallbackNonce>(
  { _id: { type: String, required: true }, expiresAt: { type: Date, required: true } },
  { collection: 'callback_nonces', versionKey: false },
);

export const EXPIRING_COLLECTIONS = [
  { collection: 'approval_requests', field: 'expiresAt' },
  { collection: 'callback_nonces', field: 'expiresAt' },
];

export type ApprovalModel = Model<ApprovalRecord>;
export type NonceModel = Model<CallbackNonce>;

export function onetouchModels(connection: Connection): { approvals: ApprovalModel; nonces: NonceModel } {
  return {
    approvals: (connection.models.Approval as ApprovalModel | undefined) ?? connection.model<ApprovalRecord>('Approval', approvalSchema),
    nonces: (connection.models.CallbackNonce as NonceModel | undefined) ?? connection.model<CallbackNonce>('CallbackNonce', nonceSchema),
  };
}
