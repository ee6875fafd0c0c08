// The app in sandbox mode, as `npm start` runs it with no key: its real Authy client calls its
// own /sandbox/api over HTTP (no nock), and "the phone" is read through the sandbox's JSON view.
import request from 'supertest';
import { userModel } from '../../server/auth/user.model';
import { sweepExpired } from '../../server/db/expiry';
import { totpAt } from '../../server/sandbox/shared/totp';
import { expiringCollections, loadSandbox } from '../../server/start/compose';
import { createTestApp } from '../support/app';
import { client, type Client } from '../support/http';
import { startSandboxApp, type SandboxApp } from '../support/sandbox-app';

let clock = Date.now();
let s: SandboxApp;
beforeAll(async () => {
  s = await startSandboxApp({ now: () => clock });
});
afterAll(() => s.close());

let phoneSeq = 10;
async function register(username: string): Promise<{ agent: Client; authyId: string; phone: string }> {
  const agent = client(s.baseUrl);
  const phone = `415-555-26${phoneSeq++}`;
  await agent
    .post('/api/user/register')
    .send({ username, email: `${username}@example.com`, password: 'correct horse battery', country_code: '1', phone_number: phone })
    .expect(200);
  const user = await userModel(s.db.connection).findOne({ username }).lean();
  return { agent, authyId: user!.authyId!, phone };
}

/** The newest code "sent" to a number ending in these digits. */
async function latestCode(phoneDigits: string, purpose: '2fa' | 'verification', channel: 'sms' | 'call') {
  const inbox = (await request(s.baseUrl).get('/sandbox/inbox.json').expect(200)).body as {
    to: string;
    channel: string;
    purpose: string;
    code: string;
  }[];
  const message = inbox.find((m) => m.to.endsWith(phoneDigits.slice(-4)) && m.purpose === purpose && m.channel === channel);
  expect(message).toBeDefined();
  return message!.code;
}

test('SMS: the code from the inbox passes 2FA once; used again it is refused', async () => {
  const { agent, phone } = await register('sb-sms');
  const sent = await agent.post('/api/accountsecurity/sms').expect(200);
  expect(sent.body.cellphone).toMatch(/^\+1-XXX-XXX-\d{4}$/);
  const code = await latestCode(phone, '2fa', 'sms');
  expect(code).toMatch(/^\d{7}$/);
  await agent.post('/api/accountsecurity/verify').send({ token: code }).expect(200);
  await agent.get('/api/protected').expect(200);

  const again = client(s.baseUrl);
  await again.post('/api/login').send({ username: 'sb-sms', password: 'correct horse battery' }).expect(200);
  await again.post('/api/accountsecurity/verify').send({ token: code }).expect(401);
});

test('voice: a call code passes 2FA; an SMS code older than 10 minutes does not', async () => {
  const { agent, phone } = await register('sb-voice');
  await agent.post('/api/accountsecurity/sms').expect(200);
  const stale = await latestCode(phone, '2fa', 'sms');
  clock += 10 * 60 * 1000 + 1000;
  await agent.post('/api/accountsecurity/verify').send({ token: stale }).expect(401);
  await agent.post('/api/accountsecurity/voice').expect(200);
  await agent
    .post('/api/accountsecurity/verify')
    .send({ token: await latestCode(phone, '2fa', 'call') })
    .expect(200);
  await agent.get('/api/protected').expect(200);
});

test("soft token: the current TOTP of the user's secret passes; the same step again is refused", async () => {
  const { agent, authyId } = await register('sb-totp');
  const { secret, otpauth_url } = (await request(s.baseUrl).get(`/sandbox/users/${authyId}/totp.json`).expect(200)).body;
  expect(otpauth_url).toMatch(/^otpauth:\/\/totp\/.*secret=/);
  const code = totpAt(secret, new Date(clock));
  await agent
    .post('/api/accountsecurity/verify')
    .send({ token: '000000' === code ? '111111' : '000000' })
    .expect(401);
  await agent.post('/api/accountsecurity/verify').send({ token: code }).expect(200);
  const again = client(s.baseUrl);
  await again.post('/api/login').send({ username: 'sb-totp', password: 'correct horse battery' }).expect(200);
  await again.post('/api/accountsecurity/verify').send({ token: code }).expect(401);
});

async function pushRequest(agent: Client, authyId: string) {
  const { uuid } = (await agent.post('/api/accountsecurity/onetouch').expect(200)).body.approval_request;
  const approvals = (await request(s.baseUrl).get('/sandbox/approvals.json').expect(200)).body as {
    uuid: string;
    authy_id: string;
    status: string;
  }[];
  expect(approvals.find((a) => a.uuid === uuid)).toMatchObject({ authy_id: authyId, status: 'pending' });
  return uuid as string;
}

test('push approved on the phone: the signed callback records it, the next poll passes 2FA', async () => {
  const { agent, authyId } = await register('sb-push');
  const uuid = await pushRequest(agent, authyId);
  expect((await agent.post('/api/accountsecurity/onetouchstatus').expect(200)).body.approval_request.status).toBe('pending');
  await request(s.baseUrl).post(`/sandbox/approvals/${uuid}/approve`).expect(200);
  // The sandbox's callback reached the app and passed its signature check.
  const record = await s.db.connection.collection('approval_requests').findOne({ pushId: uuid });
  expect(record?.status).toBe('approved');
  expect((await agent.post('/api/accountsecurity/onetouchstatus').expect(200)).body.approval_request.status).toBe('approved');
  await agent.get('/api/protected').expect(200);
  // Answering twice is refused by the phone.
  await request(s.baseUrl).post(`/sandbox/approvals/${uuid}/deny`).expect(409);
});

test('push denied: the poll says denied and 2FA stays pending', async () => {
  const { agent, authyId } = await register('sb-deny');
  const uuid = await pushRequest(agent, authyId);
  await request(s.baseUrl).post(`/sandbox/approvals/${uuid}/deny`).expect(200);
  expect((await agent.post('/api/accountsecurity/onetouchstatus').expect(200)).body.approval_request.status).toBe('denied');
  await agent.get('/api/protected').expect(403);
});

test("push unanswered past its 60 s ttl (the SPA's wait): expired, on the app and on the phone", async () => {
  const { agent, authyId } = await register('sb-expire');
  const uuid = await pushRequest(agent, authyId);
  clock += 59 * 1000;
  expect((await agent.post('/api/accountsecurity/onetouchstatus').expect(200)).body.approval_request).toEqual({ uuid, status: 'pending' });
  clock += 2 * 1000;
  expect((await agent.post('/api/accountsecurity/onetouchstatus').expect(200)).body.approval_request).toEqual({ uuid, status: 'expired' });
  const listed = (await request(s.baseUrl).get('/sandbox/approvals.json').expect(200)).body as { uuid: string; status: string }[];
  expect(listed.find((a) => a.uuid === uuid)?.status).toBe('expired');
  await request(s.baseUrl).post(`/sandbox/approvals/${uuid}/approve`).expect(409);
  await agent.get('/api/protected').expect(403);
});

// users.json is left out here: its first call draws a QR code for each of this file's users, about a second each under Jest.
test("the phone's JSON names each row's user and provider (fields added, none renamed), gzipped when asked", async () => {
  const { agent, authyId, phone } = await register('sb-owner');
  const uuid = await pushRequest(agent, authyId);
  await agent.post('/api/accountsecurity/sms').expect(200);
  const get = (url: string) => request(s.baseUrl).get(url).set('Accept-Encoding', 'gzip').expect(200);

  const approvals = await get('/sandbox/approvals.json');
  expect(approvals.headers['content-encoding']).toBe('gzip');
  expect(approvals.body.find((a: { uuid: string }) => a.uuid === uuid)).toEqual({
    uuid,
    authy_id: authyId,
    message: expect.any(String),
    status: 'pending',
    created_at: expect.any(String),
    expires_at: new Date(Date.parse(approvals.body[0].created_at) + 60_000).toISOString(),
    provider: 'authy',
    username: 'sb-owner',
  });
  const inbox = (await get('/sandbox/inbox.json')).body as Record<string, unknown>[];
  expect(inbox.find((m) => (m.to as string).endsWith(phone.slice(-4)))).toMatchObject({
    channel: 'sms',
    purpose: '2fa',
    code: expect.stringMatching(/^\d{7}$/),
    sent_at: expect.any(String),
    provider: 'authy',
    username: 'sb-owner',
  });
  // Without Accept-Encoding: plain.
  expect(
    (await request(s.baseUrl).get('/sandbox/inbox.json').set('Accept-Encoding', 'identity').expect(200)).headers['content-encoding'],
  ).toBeUndefined();
});

test.each(['sms', 'call'] as const)('phone verification by %s: a 4-digit code, then /verified', async (via) => {
  const agent = client(s.baseUrl);
  const phone = { phone_number: via === 'sms' ? '415-555-2690' : '415-555-2691', country_code: '1' };
  await agent
    .post('/api/verification/start')
    .send({ ...phone, via })
    .expect(200);
  const code = await latestCode(phone.phone_number, 'verification', via);
  expect(code).toMatch(/^\d{4}$/);
  await agent.get('/verified').expect(302);
  await agent
    .post('/api/verification/verify')
    .send({ ...phone, token: code === '0000' ? '1111' : '0000' })
    .expect(401);
  await agent
    .post('/api/verification/verify')
    .send({ ...phone, token: code })
    .expect(200);
  await agent.get('/verified').expect(200);
});

test('with a real key configured, all of /sandbox is a 404', async () => {
  const real = await createTestApp();
  try {
    for (const url of ['/sandbox', '/sandbox/inbox.json', '/sandbox/approvals.json', '/sandbox/api/protected/json/sms/1']) {
      await request(real.app).get(url).expect(404);
    }
  } finally {
    await real.close();
  }
});

test('no collection of expiring documents is missed by the sweep: an expired one planted in each is gone after it', async () => {
  await register('sb-expiry'); // so the sessions and attempts collections hold documents
  const { connection } = s.db;
  const db = connection.db!;
  // Where expiring documents live: each model with an expiry date, and each collection written
  // through the driver (sessions, attempts) whose documents carry one.
  const fields = new Map<string, string>();
  for (const model of Object.values(connection.models)) {
    if (model.schema.path('expiresAt')) fields.set(model.collection.collectionName, 'expiresAt');
  }
  for (const { name } of await db.listCollections().toArray()) {
    for (const field of ['expiresAt', 'expires']) {
      if (await db.collection(name).findOne({ [field]: { $exists: true } })) fields.set(name, field);
    }
  }
  expect([...fields.keys()]).toEqual(
    expect.arrayContaining(['sessions', 'attempts', 'approval_requests', 'sandbox_codes', 'sandbox_verify_challenges']),
  );

  for (const [name, field] of fields) await db.collection(name).insertOne({ _id: 'expired-probe', [field]: new Date(0) } as never);
  await sweepExpired(connection, expiringCollections(await loadSandbox(true)));
  const missed: string[] = [];
  for (const name of fields.keys()) if (await db.collection(name).findOne({ _id: 'expired-probe' } as never)) missed.push(name);
  expect(missed).toEqual([]);
});
