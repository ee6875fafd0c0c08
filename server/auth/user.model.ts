// Users live in the `users` collection, field names as in the original quickstart so its
// database can be reused (hashed_password, authyId).
import { Schema, type Connection, type Model } from 'mongoose';

export interface User {
  username: string;
  /** The username in lower case: unique, so usernames are unique whatever their case (auth/username-key.ts). */
  usernameKey?: string;
  email: string;
  hashed_password: string;
  authyId: string;
  /** E.164, e.g. +14155550100. Users written by the original quickstart have none. */
  phone?: string;
  createdAt: Date;
}

const userSchema = new Schema<User>(
  {
    username: { type: String, required: true, unique: true },
    // Sparse: users written before the key existed have none until they get one at start.
    usernameKey: { type: String, unique: true, sparse: true },
    email: { type: String, required: true },
    hashed_password: { type: String, required: true },
    // Required: a user is written only once Authy has given an id.
    authyId: { type: String, required: true },
    phone: { type: String },
    createdAt: { type: Date, default: () => new Date() },
  },
  { collection: 'users', versionKey: false, strict: 'throw' },
);

export type UserModel = Model<User>;

export function userModel(connection: Connection): UserModel {
  return (connection.models.User as UserModel | undefined) ?? connection.model<User>('User', userSchema);
}
