// The Authy sandbox's own state: its registered users (with their soft token's secret), in
// `sandbox_users` on the app's connection. The codes it sends (2FA and phone verification) are
// in the shared inbox, its approval requests in the shared push requests.
import { Schema, type Connection, type Model } from 'mongoose';
import { modelOn } from '../../db/model-on';
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

/** What Authy keeps with an approval request (in the shared push requests): the ttl it was asked for. */
export interface ApprovalExtra {
  secondsToExpire: number;
}
export type Approval = PushRequest<ApprovalExtra>;

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

export interface AuthyModels {
  users: Model<AuthyUser>;
}

export function authyModels(connection: Connection): AuthyModels {
  return { users: modelOn(connection, 'SandboxAuthyUser', userSchema, 'sandbox_users') };
}
