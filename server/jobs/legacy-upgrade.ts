// `npm run upgrade-legacy-hashes`: every password hash still in the original quickstart's form
// (unsalted SHA-256) is wrapped in scrypt in place, so none sits unsalted at rest. The password
// is not needed: the wrapped form is scrypt over the old digest, checked at login as
// scrypt(SHA-256(password)) and replaced by a plain scrypt hash at that login.
import { availableParallelism } from 'node:os';
import type { Config } from '../platform/config';
import { connectDatabase } from '../db/connect';
import { resolveDatabase } from '../embedded-db/resolve';
import type { Logger } from '../platform/logger';
import { isLegacyHash, OWASP_SCRYPT, wrapLegacyHash, type ScryptParams } from '../auth/password';
import { userModel, type UserModel } from '../auth/user.model';

export interface UpgradeResult {
  /** Hashes wrapped in scrypt. */
  upgraded: number;
  /** Hashes that changed meanwhile (the user logged in, so the app replaced it): left alone. */
  changed: number;
}

/**
 * Wraps every legacy hash in `users`. Safe while the app runs: each write is conditional on the
 * hash it read, and a login racing with it leaves either form, both of which check the same password.
 */
export async function upgradeLegacyHashes(users: UserModel, params: ScryptParams = OWASP_SCRYPT): Promise<UpgradeResult> {
  const result: UpgradeResult = { upgraded: 0, changed: 0 };
  const legacy: { _id: unknown; hashed_password: string }[] = [];
  for await (const user of users.find({}, { hashed_password: 1 }).lean().cursor()) {
    if (isLegacyHash(user.hashed_password)) legacy.push(user);
  }
  // One hash per core at a time, as the app does.
  const batch = availableParallelism();
  for (let i = 0; i < legacy.length; i += batch) {
    await Promise.all(
      legacy.slice(i, i + batch).map(async (user) => {
        const wrapped = await wrapLegacyHash(user.hashed_password, params);
        const write = await users.updateOne(
          { _id: user._id, hashed_password: user.hashed_password },
          { $set: { hashed_password: wrapped } },
        );
        result[write.modifiedCount === 1 ? 'upgraded' : 'changed']++;
      }),
    );
  }
  return result;
}

/** The script: the app's database (MONGODB_URI, or the embedded one in `dataDir`), upgraded, closed. */
export async function upgradeFromConfig(
  config: Pick<Config, 'mongodbUri'>,
  options: { dataDir: string; logger: Logger; params?: ScryptParams },
): Promise<UpgradeResult> {
  const { logger } = options;
  const database = await resolveDatabase({ uri: config.mongodbUri, dataDir: options.dataDir, ephemeral: false, logger });
  try {
    const { connection } = await connectDatabase(database.uri, { dbName: config.mongodbUri ? undefined : 'account_security' });
    try {
      const result = await upgradeLegacyHashes(userModel(connection), options.params);
      logger.info(result, `upgrade-legacy-hashes: ${result.upgraded} legacy hashes wrapped in scrypt`);
      return result;
    } finally {
      await connection.close();
    }
  } finally {
    await database.stop();
  }
}
