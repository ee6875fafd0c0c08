// The sandbox's state, in collections prefixed `sandbox_` on the app's own connection. Every
// document with a lifetime carries `expiresAt`; every read filters on it (FerretDB v1 has no TTL
// indexes, and a sweeper may run late), and the app's expiry sweeper deletes old ones.
// Single use is enforced with claims (db/claim.ts), never with transactions.
import { Schema, type Connection, type Model } from 'mongoose';
import type { ApprovalStatus } from '../../common/approval-status';
import { claimsExpiry, claimsModel, type Claim } from '../db/claim';
import type { ExpirySpec } from '../db/expiry';
import { modelOn } from '../db/model-on';

export interface SandboxUser {
  authyId: string;
  email: string;
  countryCode: string;
  cellphone: string;
  /** Base32 TOTP secret (RFC 6238, SHA-1, 30 s, 6 digits). */
  secret: string;
  /** The last TOTP time step accepted; a step at or below it is refused. */
  totpLastStep: number;
  deviceUuid: string;
  createdAt: Date;
}

export type Channel = 'sms' | 'call';

/** An SMS or voice code for two-factor authentication: single-use, 10 min. */
export interface SandboxCode {
  authyId: string;
  code: string;
  channel: Channel;
  to: string;
  sentAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

/** A phone verification: 10 min, at most 5 tries. */
export interface SandboxVerification {
  phoneKey: string;
  to: string;
  channel: Channel;
  code: string;
  sentAt: Date;
  expiresAt: Date;
  attempts: number;
  verifiedAt: Date | null;
}

export interface Pair {
  key: string;
  value: string;
}

/** What is stored; 'expired' is derived from `pendingUntil` (see effectiveStatus). */
export type StoredApprovalStatus = Exclude<ApprovalStatus, 'expired'>;

/** A OneTouch approval request. `pendingUntil` ends its ttl; the document lives a day longer. */
export interface SandboxApproval {
  uuid: string;
  authyId: string;
  message: string;
  /** Details as key/value pairs: keys come from the caller and may hold `.` or `$`. */
  details: Pair[];
  hiddenDetails: Pair[];
  status: StoredApprovalStatus;
  secondsToExpire: number;
  createdAt: Date;
  updatedAt: Date;
  processedAt: Date | null;
  pendingUntil: Date;
  expiresAt: Date;
}

export const COLLECTIONS = {
  users: 'sandbox_users',
  codes: 'sandbox_codes',
  verifications: 'sandbox_verifications',
  approvals: 'sandbox_approvals',
  claims: 'sandbox_claims',
} as const;

/** For the app's expiry sweeper (TTL indexes on MongoDB, periodic deletes on FerretDB). */
export const EXPIRING_COLLECTIONS: readonly ExpirySpec[] = [
  { collection: COLLECTIONS.codes, field: 'expiresAt' },
  { collection: COLLECTIONS.verifications, field: 'expiresAt' },
  { collection: COLLECTIONS.approvals, field: 'expiresAt' },
  claimsExpiry(COLLECTIONS.claims),
];

const pair = new Schema<Pair>({ key: { type: String, required: true }, value: { type: String, required: true } }, { _id: false });

const userSchema = new Schema<SandboxUser>(
  {
    authyId: { type: String, required: true },
    email: { type: String, required: true },
    countryCode: { type: String, required: true },
    cellphone: { type: String, required: true },
    secret: { type: String, required: true },
    totpLastStep: { type: Number, required: true, default: 0 },
    deviceUuid: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { autoIndex: false, versionKey: false },
);
userSchema.index({ authyId: 1 }, { unique: true });
userSchema.index({ countryCode: 1, cellphone: 1 }, { unique: true });

const codeSchema = new Schema<SandboxCode>(
  {
    authyId: { type: String, required: true },
    code: { type: String, required: true },
    channel: { type: String, required: true, enum: ['sms', 'call'] },
    to: { type: String, required: true },
    sentAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
  },
  { autoIndex: false, versionKey: false },
);
codeSchema.index({ authyId: 1, code: 1 });
codeSchema.index({ sentAt: -1 });

const verificationSchema = new Schema<SandboxVerification>(
  {
    phoneKey: { type: String, required: true },
    to: { type: String, required: true },
    channel: { type: String, required: true, enum: ['sms', 'call'] },
    code: { type: String, required: true },
    sentAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    attempts: { type: Number, required: true, default: 0 },
    verifiedAt: { type: Date, default: null },
  },
  { autoIndex: false, versionKey: false },
);
verificationSchema.index({ phoneKey: 1, sentAt: -1 });
verificationSchema.index({ sentAt: -1 });

const approvalSchema = new Schema<SandboxApproval>(
  {
    uuid: { type: String, required: true },
    authyId: { type: String, required: true },
    message: { type: String, required: true },
    details: { type: [pair], default: [] },
    hiddenDetails: { type: [pair], default: [] },
    status: { type: String, required: true, enum: ['pending', 'approved', 'denied'] },
    secondsToExpire: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    processedAt: { type: Date, default: null },
    pendingUntil: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { autoIndex: false, versionKey: false },
);
approvalSchema.index({ uuid: 1 }, { unique: true });
approvalSchema.index({ createdAt: -1 });

export interface SandboxModels {
  users: Model<SandboxUser>;
  codes: Model<SandboxCode>;
  verifications: Model<SandboxVerification>;
  approvals: Model<SandboxApproval>;
  claims: Model<Claim>;
}

export function sandboxModels(connection: Connection): SandboxModels {
  return {
    users: modelOn(connection, 'SandboxUser', userSchema, COLLECTIONS.users),
    codes: modelOn(connection, 'SandboxCode', codeSchema, COLLECTIONS.codes),
    verifications: modelOn(connection, 'SandboxVerification', verificationSchema, COLLECTIONS.verifications),
    approvals: modelOn(connection, 'SandboxApproval', approvalSchema, COLLECTIONS.approvals),
    claims: claimsModel(connection, COLLECTIONS.claims),
  };
}

/** The indexes the sandbox's models declare (expiresAt's is the sweeper's: EXPIRING_COLLECTIONS). */
export async function ensureSandboxIndexes(...groups: object[]): Promise<void> {
  await Promise.all(groups.flatMap((models) => Object.values(models) as Model<unknown>[]).map((m) => m.createIndexes()));
}
