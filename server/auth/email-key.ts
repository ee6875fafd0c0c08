// "Forgot password?" finds accounts by email whatever the case it is typed in: each user carries
// `emailKey`, the address in lower case (not unique: registration never made emails unique).
import mongoose from 'mongoose';
import type { UserModel } from './user.model';

export const emailKey = (email: string) => email.toLowerCase();

/** Gives the users written before the key existed (by the original quickstart or an earlier version) their key. */
export async function backfillEmailKeys(users: UserModel): Promise<void> {
  const missing = await users.find({ emailKey: mongoose.trusted({ $exists: false }) }, { email: 1 }).lean();
  for (const user of missing) {
    await users.updateOne({ _id: user._id }, { $set: { emailKey: emailKey(user.email) } });
  }
}
