// Users live in the `users` collection, field names as in the original quickstart so its
// database can be reused (hashed_password, authyId). Each 2FA provider keeps what it needs on
// the user: Authy its id, Verify its Entity and TOTP factor (server/providers/).
import { Schema, type Connection, type Model } from 'mongoose';

export interface VerifyRecord {
  /** The Verify Entity's identity (ours, random: Verify asks for no personal data there). */
  identity: string;
  /** The Entity's TOTP factor. */
  totpFactorSid: string;
  /** The factor's otpauth:// URI, kept only until the first code verifies the factor. */
  totpUri?: string;
  /** When that factor was created (users of earlier versions: their createdAt): one waiting over a day is replaced. */
  totpCreatedAt?: Date;
}

/** What the 2FA providers keep on a user: at least one of them. */
export interface ProviderRecord {
  authyId?: string;
  verify?: VerifyRecord;
}

export interface User extends ProviderRecord {
  username: string;
  /** The username in lower case: unique, so usernames are unique whatever their case (auth/username-key.ts). */
  usernameKey?: string;
  email: string;
  hashed_password: string;
  /** E.164, e.g. +14155550100. Users written by the original quickstart have none. */
  phone?: string;
  createdAt: Date;
}

const verifySchema = new Schema<VerifyRecord>(
  {
    identity: { type: String, required: true },
    totpFactorSid: { type: String, required: true },
    totpUri: { type: String },
    totpCreatedAt: { type: Date },
  },
  { _id: false, strict: 'throw' },
);

const userSchema = new Schema<User>(
  {
    username: { type: String, required: true, unique: true },
    // Sparse: users written before the key existed have none until they get one at start.
    usernameKey: { type: String, unique: true, sparse: true },
    email: { type: String, required: true },
    hashed_password: { type: String, required: true },
    authyId: { type: String },
    verify: { type: verifySchema },
    phone: { type: String },
    createdAt: { type: Date, default: () => new Date() },
  },
  { collection: 'users', versionKey: false, strict: 'throw' },
);

// A user is written only once a provider has registered it: never one without either record.
userSchema.pre('validate', function () {
  if (!this.authyId && !this.verify) this.invalidate('authyId', 'a user needs an Authy id or a Verify entity');
});

export type UserModel = Model<User>;

export function userModel(connection: Connection): UserModel {
  return (connection.models.User as UserModel | undefined) ?? connection.model<User>('User', userSchema);
}
