// Users live in the `users` collection, with the original quickstart's field names so its
// database can be reused. Each 2FA provider owns what it keeps on the user (its record and that
// record's schema fields, in server/providers/); the user puts them side by side, and holds at
// least one.
import { Schema, type Connection, type Model } from 'mongoose';
import type { ProviderName } from '../platform/config';
import type { ProviderRecordSpec, UserProfile } from '../providers/provider';
import { authyRecord, type AuthyRecord } from '../providers/authy/authy-record';
import { verifyRecord, type VerifyRecord } from '../providers/verify/verify-record';

/** Every provider's record, side by side on the user; the configured provider reads its own. */
export type ProviderRecords = AuthyRecord & VerifyRecord;
/** Each provider's record, by the provider's name. */
export const PROVIDER_RECORDS: Readonly<Record<ProviderName, ProviderRecordSpec<ProviderRecords>>> = {
  authy: authyRecord,
  verify: verifyRecord,
};
const RECORDS = Object.values(PROVIDER_RECORDS);

export interface User extends UserProfile, ProviderRecords {
  /** The username in lower case: unique, so usernames are unique whatever their case (auth/username-key.ts). */
  usernameKey?: string;
  email: string;
  /** The email in lower case: "Forgot password?" finds accounts by it (auth/email-key.ts). */
  emailKey?: string;
  hashed_password: string;
}

const userSchema = new Schema<User>(
  {
    username: { type: String, required: true, unique: true },
    // Sparse: users written before the key existed have none until they get one at start.
    usernameKey: { type: String, unique: true, sparse: true },
    email: { type: String, required: true },
    emailKey: { type: String },
    hashed_password: { type: String, required: true },
    ...RECORDS.reduce((fields, record) => ({ ...fields, ...record.fields }), {}),
    phone: { type: String },
    createdAt: { type: Date, default: () => new Date() },
  },
  { collection: 'users', versionKey: false, strict: 'throw' },
);

// "Forgot password?" finds accounts by the email given at registration, whatever its case.
userSchema.index({ emailKey: 1 });

// A user is written only once a provider has registered it: never one without any record.
userSchema.pre('validate', function () {
  if (!RECORDS.some((record) => record.isHeldBy(this))) this.invalidate('provider', 'a user needs a 2FA provider’s record');
});

export type UserModel = Model<User>;

export function userModel(connection: Connection): UserModel {
  return (connection.models.User as UserModel | undefined) ?? connection.model<User>('User', userSchema);
}
