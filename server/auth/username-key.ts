// Usernames are unique without regard to case: each user carries `usernameKey`, the username in
// lower case, under a unique index. Login finds a user by the exact spelling first, then by key.
import mongoose from 'mongoose';
import { isDuplicateKey } from '../db/duplicate-key';
import type { Logger } from '../platform/logger';
import type { UserModel } from './user.model';

export const usernameKey = (username: string) => username.toLowerCase();

/** The user a login names: its exact spelling wins, else the one holding the name's key. */
export async function findByUsername(users: UserModel, username: string) {
  const found = await users
    .find({ $or: [{ username }, { usernameKey: usernameKey(username) }] })
    .limit(2)
    .exec();
  return found.find((u) => u.username === username) ?? found[0] ?? null;
}

/**
 * Gives the users written before the key existed (by the original quickstart or an earlier
 * version) their key, oldest first. Where an old database holds names that differ only in case
 * ('EveX' and 'evex'), the oldest gets the key and the others keep none: each still logs in with
 * its exact spelling, the key's holder also with any other, and nobody can register a new
 * spelling. Such users are counted in a warning at each start.
 */
export async function backfillUsernameKeys(users: UserModel, logger: Logger): Promise<void> {
  await users.init(); // the unique index exists before any key is written
  const missing = await users
    .find({ usernameKey: mongoose.trusted({ $exists: false }) }, { username: 1 })
    .sort({ _id: 1 })
    .lean();
  let shared = 0;
  for (const user of missing) {
    try {
      await users.updateOne(
        { _id: user._id, usernameKey: mongoose.trusted({ $exists: false }) },
        { $set: { usernameKey: usernameKey(user.username) } },
      );
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      shared++;
    }
  }
  if (shared > 0) {
    logger.warn(
      { users: shared },
      `${shared} user(s) have a username that differs only in case from an older user's; ` +
        'they log in with their exact spelling only (README, "Your own MongoDB")',
    );
  }
}

/** Runs `work` once it has succeeded; a failure (database down) is retried on the next call. */
export function onceSucceeded(work: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () =>
    (done ??= work().catch((err: unknown) => {
      done = undefined;
      throw err;
    }));
}
