// The database dies under a running app: every route that needs it answers 503 with Retry-After
// within 5 s (never 500), the log has one warning for the outage (not one per request) and one
// line when it is back, and the app recovers without a restart. The app runs in this process on
// a FerretDB of its own, which the tests kill and start again on the same data, or stop and resume.
// A session that cannot be saved at the end of a request is answered 503 too, never a 200.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { connectDatabase } from '../../server/db/connect';
import type { EmbeddedDatabase } from '../../server/embedded-db/embedded';
import { locateFerretDB, startFerretDB } from '../../server/embedded-db/ferretdb';
import { createMetrics } from '../../server/metrics/metrics';
import { createTestApp, verifyTestProvider, type TestApp } from '../support/app';
import type { TestDatabase } from '../support/db';
import { client } from '../support/http';
import { registeredAgent, sessionCookie, validPerson } from '../support/users';
import { verifyPaths, verifyReplies, verifyScope } from '../support/verify-nock';

const MESSAGE = { error: 'The database is not reachable. Please try again.' };

let dataDir: string;
let bin: string;
let ferret: EmbeddedDatabase | undefined;
let t: TestApp;
const metrics = createMetrics();
/** asq_database_outages_total: one per outage, like the warning. */
const outagesCounted = async () => (await metrics.registry.getSingleMetric('asq_database_outages_total')!.get()).values[0].value;

async function startDatabase(): Promise<EmbeddedDatabase> {
  // Persistent data in dataDir: the same socket, so the same URI, after each start.
  ferret = await startFerretDB(bin, { dataDir, ephemeral: false });
  return ferret;
}

function killDatabase(): void {
  process.kill(ferret!.pid!, 'SIGKILL');
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'asq-outage-'));
  bin = await locateFerretDB(process.env);
  const started = await startDatabase();
  const { connection, isFerretDB } = await connectDatabase(started.uri, { dbName: 'outage' });
  const db: TestDatabase = { connection, isFerretDB, uri: started.uri, dbName: 'outage', close: () => connection.close() };
  t = await createTestApp({ metrics }, { db });
}, 60_000);

afterAll(async () => {
  await t?.db.connection.close().catch(() => {});
  await ferret?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const logLines = () => t.logs.lines.map((l) => JSON.parse(l) as { level: number; msg: string });
const outageWarnings = () => logLines().filter((l) => l.level === 40 && /not reachable/.test(l.msg));
const recoveries = () => logLines().filter((l) => /reachable again/.test(l.msg));

/** Retries `request` until it gives `status` (the app heals without a restart), for up to `ms`. */
async function eventually<R extends { status: number }>(request: () => Promise<R>, status: number, ms: number): Promise<R> {
  const deadline = Date.now() + ms;
  for (;;) {
    const res = await request();
    if (res.status === status || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('database down: 503 with Retry-After within 5 s on every route that needs it, one warning, then recovery', async () => {
  const { agent } = await registeredAgent(t.app, 'outage1');
  await agent
    .post('/api/loggedIn')
    .expect(200)
    .expect((r) => expect(r.body).toMatchObject({ url: '/2fa' }));
  const visitor = client(t.app);

  killDatabase();
  const requests: [string, () => Promise<{ status: number; body: unknown; headers: Record<string, string> }>][] = [
    ['POST /api/loggedIn (logged in)', () => agent.post('/api/loggedIn')],
    ['GET /api/protected (logged in)', () => agent.get('/api/protected')],
    ['POST /api/accountsecurity/sms (logged in)', () => agent.post('/api/accountsecurity/sms')],
    ['POST /api/loggedIn (logged in, again)', () => agent.post('/api/loggedIn')],
    ['POST /api/login', () => visitor.post('/api/login').send({ username: 'outage1', password: 'correct horse battery' })],
    ['POST /api/user/register', () => visitor.post('/api/user/register').send(validPerson('outage2').body)],
  ];
  for (const [name, send] of requests) {
    const started = Date.now();
    const res = await send();
    const ms = Date.now() - started;
    expect({ name, status: res.status, body: res.body }).toEqual({ name, status: 503, body: MESSAGE });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(5);
    expect({ name, within5s: ms < 5000 }).toEqual({ name, within5s: true });
  }
  const ready = await visitor.get('/readyz');
  expect(ready.status).toBe(503);

  // One warning for the whole outage, and no error line (no stack per request).
  expect(outageWarnings()).toHaveLength(1);
  expect(await outagesCounted()).toBe(1);
  expect(logLines().filter((l) => l.level >= 50)).toEqual([]);

  await startDatabase();
  // The same session, from the restarted database's files: nothing was lost.
  const back = await eventually(() => agent.post('/api/loggedIn'), 200, 15_000);
  expect(back.status).toBe(200);
  expect(back.body).toMatchObject({ url: '/2fa' });
  expect((await visitor.get('/readyz')).status).toBe(200);
  expect(recoveries()).toHaveLength(1);

  // A second outage is a second warning.
  killDatabase();
  expect((await agent.post('/api/loggedIn')).status).toBe(503);
  expect(outageWarnings()).toHaveLength(2);
  expect(await outagesCounted()).toBe(2);
  await startDatabase();
  expect((await eventually(() => agent.post('/api/loggedIn'), 200, 15_000)).status).toBe(200);
}, 60_000);

test('a database that stops answering (its process stopped, sockets open): 503 within 5 s, then recovery', async () => {
  const { agent } = await registeredAgent(t.app, 'outage3');
  await agent
    .post('/api/loggedIn')
    .expect(200)
    .expect((r) => expect(r.body).toMatchObject({ url: '/2fa' }));

  process.kill(ferret!.pid!, 'SIGSTOP');
  try {
    const started = Date.now();
    const res = await agent.post('/api/loggedIn');
    const ms = Date.now() - started;
    expect({ status: res.status, body: res.body }).toEqual({ status: 503, body: MESSAGE });
    expect(ms).toBeLessThan(5000);
  } finally {
    process.kill(ferret!.pid!, 'SIGCONT');
  }
  expect((await eventually(() => agent.post('/api/loggedIn'), 200, 15_000)).status).toBe(200);
}, 30_000);

test('a session that cannot be saved (the database died while the provider was asked): 503, not a 200 that lost it', async () => {
  // A visitor's phone verification with Verify: the start is remembered in a new session, the
  // only database write after the provider's answer. The database dies while Verify is asked.
  const verify = await createTestApp({ provider: verifyTestProvider(), metrics }, { db: t.db });
  const phone = { country_code: '1', phone_number: '415-555-2671' };
  verifyScope()
    .post(verifyPaths.verifications)
    .reply(() => {
      killDatabase();
      return [201, verifyReplies.verification('+14155552671', 'sms')];
    });
  const visitor = client(verify.app);
  const res = await visitor.post('/api/verification/start').send({ ...phone, via: 'sms' });
  try {
    expect({ status: res.status, body: res.body }).toEqual({ status: 503, body: MESSAGE });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(sessionCookie(res)).toBeUndefined();
  } finally {
    await startDatabase();
  }
  expect((await eventually(() => visitor.get('/readyz'), 200, 15_000)).status).toBe(200);
  expect(await t.db.connection.collection('sessions').countDocuments({ 'session.phoneCode.phone': '+14155552671' })).toBe(0);
}, 30_000);
