// Users of the original quickstart have unsalted SHA-256 hashes. A wrong password for them must
// take as long as any failing login (the hash check alone takes microseconds, an unknown user a
// whole scrypt), and `npm run upgrade-legacy-hashes` wraps the remaining ones in scrypt at rest.
import { upgradeFromConfig } from '../../server/jobs/legacy-upgrade';
import { hashPassword, legacySha256, type ScryptParams } from '../../server/auth/password';
import { userModel } from '../../server/auth/user.model';
import { createLogger } from '../../server/platform/logger';
import { LogCapture, registerLogs, TEST_SCRYPT, useTestApp } from '../support/app';
import { post } from '../support/http';

/** A scrypt slow enough to stand well above the database's own time. */
const SLOW: ScryptParams = { N: 2 ** 14, r: 8, p: 1 };
const t = useTestApp({ passwordParams: SLOW });
const users = () => userModel(t.db.connection);

const legacyUser = (username: string, password: string) =>
  users().collection.insertOne({
    username,
    email: `${username}@example.com`,
    hashed_password: legacySha256(password),
    authyId: '424242',
    createdAt: new Date(),
  });

/**
 * The work a failed login costs, as CPU time of this process (the app runs in it, scrypt on its
 * thread pool): what an attacker's clock measures, without the noise of other load on the machine.
 */
async function loginCpuMs(username: string, password: string): Promise<number> {
  const before = process.cpuUsage();
  await post(t.app, '/api/login').send({ username, password }).expect(401);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test('a wrong password for a legacy user costs as much as one for an unknown user', async () => {
  await legacyUser('legacy-timing', 'old password');
  await loginCpuMs('warm-up', 'not the password');
  const legacy: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < 5; i++) {
    legacy.push(await loginCpuMs('legacy-timing', `wrong-${i}-password`));
    unknown.push(await loginCpuMs(`nobody-${i}`, `wrong-${i}-password`));
  }
  // Both spend one scrypt; without it the legacy check is a small fraction of the unknown user's.
  expect(median(legacy)).toBeGreaterThan(median(unknown) * 0.6);
});

describe('npm run upgrade-legacy-hashes', () => {
  test('wraps every legacy hash in scrypt in place; the password still works and becomes plain scrypt at login', async () => {
    await legacyUser('old-a', 'old password');
    await legacyUser('old-b', 'old password');
    const modernHash = await hashPassword('correct horse battery', TEST_SCRYPT);
    await users().collection.insertOne({ username: 'modern', email: 'm@example.com', hashed_password: modernHash, authyId: '1' });
    const logs = registerLogs(new LogCapture());
    const url = new URL(t.db.uri);
    url.pathname = `/${t.db.dbName}`;
    const run = () =>
      upgradeFromConfig(
        { mongodbUri: url.toString() },
        { dataDir: '/nonexistent', logger: createLogger('info', logs), params: TEST_SCRYPT },
      );

    // legacy-timing (from the test above), old-a and old-b; a scrypt hash is left alone.
    expect(await run()).toEqual({ upgraded: 3, changed: 0 });
    const all = await users().find().lean();
    expect(all.filter((u) => !u.hashed_password.startsWith('scrypt'))).toEqual([]);
    expect(all.find((u) => u.username === 'modern')!.hashed_password).toBe(modernHash);
    const oldA = all.find((u) => u.username === 'old-a')!.hashed_password;
    expect(oldA).toMatch(/^scrypt-sha256\$1024\$8\$1\$/);
    expect(all.find((u) => u.username === 'old-b')!.hashed_password).not.toBe(oldA); // salted
    expect(logs.text).toMatch(/3 legacy hashes wrapped in scrypt/);

    await post(t.app, '/api/login').send({ username: 'old-a', password: 'wrong password' }).expect(401);
    await post(t.app, '/api/login').send({ username: 'old-a', password: 'old password' }).expect(200);
    expect((await users().findOne({ username: 'old-a' }).lean())!.hashed_password).toMatch(/^scrypt\$16384\$8\$1\$/);
    await post(t.app, '/api/login').send({ username: 'old-a', password: 'old password' }).expect(200);

    expect(await run()).toEqual({ upgraded: 0, changed: 0 });
  });
});
