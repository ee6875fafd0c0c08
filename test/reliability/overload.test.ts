// Overload sheds load: with a small hash budget, a burst of simultaneous logins is answered at
// once with 503 and Retry-After for whatever would wait longer than the budget, instead of every
// request queueing behind every other. The refused requests leave nothing behind (no session).
import { performance } from 'node:perf_hooks';
import { hashPassword, type ScryptParams } from '../../server/auth/password';
import { userModel } from '../../server/auth/user.model';
import { createTestApp, listen, testConfig, type TestApp } from '../support/app';
import { post } from '../support/http';
import { validPerson } from '../support/users';

/** Dearer than the tests' usual scrypt, so a burst builds a queue worth refusing. */
const BURST_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const BUDGET_MS = 300;
const BURST = 60;

let t: TestApp;
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  t = await createTestApp({ config: testConfig({ hashQueueMaxMs: BUDGET_MS }), passwordParams: BURST_SCRYPT });
  server = await listen(() => t.app);
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

test(`${BURST} simultaneous logins with a ${BUDGET_MS} ms hash budget: 503 + Retry-After for the excess, no answered login queued past the budget`, async () => {
  // One user per login: the attempt limiter allows only a few logins of one user at a time.
  const { password } = validPerson('x').body;
  const started = performance.now();
  const hashed = await hashPassword(password, BURST_SCRYPT);
  const oneHashMs = performance.now() - started;
  const usernames = Array.from({ length: BURST + 1 }, (_, i) => `burst${i}`);
  await userModel(t.db.connection).insertMany(
    usernames.map((username, i) => ({ username, email: `${username}@example.com`, hashed_password: hashed, authyId: String(9000 + i) })),
  );

  const results = await Promise.all(
    usernames.slice(0, BURST).map(async (username) => {
      const started = performance.now();
      const res = await post(server.baseUrl, '/api/login').send({ username, password });
      return { res, ms: performance.now() - started };
    }),
  );
  const answered = results.filter((r) => r.res.status === 200);
  const refused = results.filter((r) => r.res.status === 503);

  expect(answered.length + refused.length).toBe(BURST); // nothing else: no 500, no timeout
  expect(answered.length).toBeGreaterThan(0);
  expect(refused.length).toBeGreaterThan(0);
  for (const { res } of refused) {
    expect(res.body).toEqual({ error: expect.stringMatching(/^The server is busy\. Please try again in \d+ seconds\.$/) });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(String(res.headers['set-cookie'] ?? '')).not.toContain('asq.sid='); // no session started
  }
  // A refused login did its database work and no hashing, so the slowest refusal is what the
  // database (busy with the whole burst) costs. An answered one waited at most the budget for
  // its turn, then hashed: nothing queued behind the burst.
  const slowestRefusal = Math.max(...refused.map((r) => r.ms));
  const slowestAnswer = Math.max(...answered.map((r) => r.ms));
  expect(slowestAnswer).toBeLessThan(slowestRefusal + BUDGET_MS + 2 * oneHashMs + 1000);

  // A refusal is load shed on purpose: a warning each, not an error with a stack trace.
  const lines = t.logs.lines.map((line) => JSON.parse(line) as { level: number; msg: string; err?: unknown });
  expect(lines.filter((line) => line.msg === 'request refused (503)' && line.level === 40)).toHaveLength(refused.length);
  expect(lines.filter((line) => line.level >= 50)).toEqual([]);

  // Once the burst is over the queue is empty again: the next login goes through.
  expect((await post(server.baseUrl, '/api/login').send({ username: usernames[BURST], password })).status).toBe(200);
}, 60_000);

test('while a hash is booked past the budget, a registration is refused before its database work: a taken username gets the 503, not the 409', async () => {
  // One turn and a budget shorter than a hash: while a login hashes, the next hash would end late.
  const busyApp = await createTestApp({ config: testConfig({ hashQueueMaxMs: 50, hashConcurrency: 1 }), passwordParams: BURST_SCRYPT });
  const busyServer = await listen(() => busyApp.app);
  try {
    const { password } = validPerson('x').body;
    await userModel(busyApp.db.connection).create({
      username: 'taken',
      usernameKey: 'taken',
      email: 'taken@example.com',
      hashed_password: await hashPassword(password, BURST_SCRYPT),
      authyId: '9100',
    });
    // Logins one after another keep a hash running most of the time.
    let probing = true;
    const logins = (async () => {
      while (probing) await post(busyServer.baseUrl, '/api/login').send({ username: 'taken', password });
    })();
    const seen: number[] = [];
    try {
      for (let i = 0; i < 200 && !seen.includes(503); i++) {
        const res = await post(busyServer.baseUrl, '/api/user/register').send({ ...validPerson('taken').body, username: 'taken' });
        seen.push(res.status);
      }
    } finally {
      probing = false;
      await logins;
    }
    expect(seen).toContain(503); // refused before the username was looked up
    expect(seen.filter((status) => status !== 503 && status !== 409)).toEqual([]);
  } finally {
    await busyServer.close();
    await busyApp.close();
  }
}, 60_000);
