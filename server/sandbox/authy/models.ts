// The Authy sandbox's own state, in collections prefixed `sandbox_` on the app's connection:
// registered users (with their soft token's secret) and phone verifications. The codes it sends
// are in the shared inbox, its approval requests in the shared push requests. A verification
// carries `expiresAt`; every read filters on it, and the app's expiry sweeper deletes old ones.
import { Schema, type Connection, type Model } from 'mongoose';
import type { ExpirySpec } from '../../db/expiry';
import { modelOn } from '../../db/model-on';
import type { Channel } from '../shared/inbox';
import type { PushRequest } from '../shared/push-requests';

export interface AuthyUser {
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

/** A phone verification: 10 min, at most 5 tries; its code is also in the inbox. */
export interface AuthyVerification {
  phoneKey: string;
  to: string;
  channel: Channel;
  code: string;
  sentAt: Date;
  expiresAt: Date;
  attempts: number;
  verifiedAt: Date | null;
}

/** What Authy keeps with an approval request (in the shared push requests): the ttl it was asked for. */
export interface ApprovalExtra {
  secondsToExpire: number;
}
export type Approval = PushRequest<ApprovalExtra>;

export const COLLECTIONS = {
  users: 'sandbox_users',
  verifications: 'sandbox_verifications',
} as const;

/** For the app's expiry sweeper (TTL indexes on MongoDB, periodic deletes on FerretDB). */
export const EXPIRING_COLLECTIONS: readonly ExpirySpec[] = [{ collection: COLLECTIONS.verifications, field: 'expiresAt' }];

const userSchema = new Schema<AuthyUser>(
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

const verificationSchema = new Schema<AuthyVerification>(
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

export interface AuthyModels {
  users: Model<AuthyUser>;
  verifications: Model<AuthyVerification>;
}

export function authyModels(connection: Connection): AuthyModels {
  return {
    users: modelOn(connection, 'AuthyUser', userSchema, COLLECTIONS.users),
    verifications: modelOn(connection, 'AuthyVerification', verificationSchema, COLLECTIONS.verifications),
  };
}
