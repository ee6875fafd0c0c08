// The embedded Authy, driven by the REAL authy-client (which checks every answer strictly) and by
// axios as the app's phone-verification calls are, on the test database. A little endpoint in the
// test receives the OneTouch callbacks and checks them with authy-client's verifyCallback.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import axios, { type AxiosResponse } from 'axios';
import { Client } from 'authy-client';
import express from 'express';
import { generateSync } from 'otplib';
import { isValidSignature } from '../../server/providers/authy/signature';
import { createLogger } from '../../server/platform/logger';
import { LogCapture, registerLogs } from '../support/app';
import { createSandbox, sandboxTwilioAccount } from '../../server/sandbox';
import { openTestDatabase, type TestDatabase } from '../support/db';

const API_KEY = 'sandbox-test-key-0123456789abcdef';
const CALLBACK_PATH = '/hooks/onetouch';

interface Received {
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  method: string;
  protocol: string;
  url: string;
}

let db: TestDatabase;
let server: http.Server;
let base: string;
let publicDir: string;
let client: Client;
let logs: LogCapture;
let offsetMs = 0;
let callbackStatus = 200;
const received: Received[] = [];
const now = () => new Date(Date.now() + offsetMs);

/** Plain HTTP with no throwing on 4xx, as a script would call the sandbox. */
const http0 = axios.create({ validateStatus: () => true, proxy: false });
const api = (p: string) => `${base}/sandbox/api${p}`;
const withKey = { headers: { 'X-Authy-API-Key': API_KEY } };

beforeAll(async () => {
  db = await openTestDatabase();
  publicDir = await mkdtemp(path.join(os.tmpdir(), 'sandbox-public-'));
  logs = registerLogs(new LogCapture());
  server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const app = express();
  app.use(
    '/sandbox',
    createSandbox({
      connection: db.connection,
      apiKey: API_KEY,
      callbackUrl: base + CALLBACK_PATH,
      verify: { ...sandboxTwilioAccount('sandbox-twilio-token-0123456789abcdef'), webhookUrl: `${base}/hooks/verify` },
      publicDir,
      logger: createLogger('info', logs),
      now,
    }),
  );
  app.post(CALLBACK_PATH, express.json(), (req, res) => {
    received.push({
      body: req.body as Record<string, unknown>,
      headers: req.headers,
      method: req.method,
      protocol: req.protocol,
      url: req.originalUrl,
    });
    res.status(callbackStatus).json({ ok: callbackStatus === 200 });
  });
  server.on('request', app);
  client = new Client({ key: API_KEY }, { host: `${base}/sandbox/api`, timeout: 5000 });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db.close();
  await rm(publicDir, { recursive: true, force: true });
});

afterEach(() => {
  offsetMs = 0;
  callbackStatus = 200;
});

/** authy-client's HttpError: its status in `code`, Authy's answer in `body`. */
async function authyFailure(p: PromiseLike<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: number; body?: Record<string, unknown>; name?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, body: e.body ?? {} };
  }
  throw new Error('expected the call to fail');
}

function expectAuthyError(body: unknown, errorCode: string, message?: string) {
  expect(body).toMatchObject({ success: false, error_code: errorCode });
  const b = body as { message: string; errors: { message: string } };
  expect(typeof b.message).toBe('string');
  expect(b.errors.message).toBe(b.message);
  if (message) expect(b.message).toBe(message);
}

let phoneSeq = 100;
/** A fresh valid US number per user (201-555-01xx is reserved for fiction). */
async function newUser(): Promise<{ authyId: string; phone: string }> {
  const phone = `201555${String(phoneSeq++).padStart(4, '0')}`;
  const res = await client.registerUser({ countryCode: 'US', email: `user${phoneSeq}@example.com`, phone });
  return { authyId: String(res.user.id), phone };
}

async function inbox(): Promise<Array<{ to: string; channel: string; purpose: string; code: string; sent_at: string }>> {
  return (await http0.get(`${base}/sandbox/inbox.json`)).data;
}

// First, while there are few users: qrcode's PNG encoder is slow under Jest (fast in Node).
describe('the page, users.json and what they never show', () => {
  test('users.json shows each user with a masked phone, a PNG QR code and the current code', async () => {
    const { authyId, phone } = await newUser();
    const { secret } = (await http0.get(`${base}/sandbox/users/${authyId}/totp.json`)).data as { secret: string };
    const before = generateSync({ secret, epoch: Math.floor(now().getTime() / 1000) });
    const users = (await http0.get(`${base}/sandbox/users.json`)).data as Array<Record<string, unknown>>;
    const after = generateSync({ secret, epoch: Math.floor(now().getTime() / 1000) });
    const mine = users.find((u) => u.authy_id === authyId);
    // provider and username were added for the page (no app here to name the user).
    expect(mine).toMatchObject({ authy_id: authyId, cellphone: `+1-XXX-XXX-${phone.slice(-4)}`, provider: 'authy', username: null });
    expect(mine?.qr_code).toMatch(/^data:image\/png;base64,/);
    expect([before, after]).toContain((mine?.totp as { code: string }).code);
  });

  test('GET /sandbox is 503 until the page is built, then serves it', async () => {
    let res = await http0.get(`${base}/sandbox`);
    expect(res.status).toBe(503);
    expect(res.data).toContain('npm run build');
    await writeFile(path.join(publicDir, 'sandbox.html'), '<!doctype html><title>Sandbox</title>');
    // Gzipped for a browser that takes it (read raw: axios would unzip it and drop the header).
    res = await http0.get(`${base}/sandbox`, { headers: { 'Accept-Encoding': 'gzip' }, decompress: false, responseType: 'arraybuffer' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(res.data as Buffer).toString()).toBe('<!doctype html><title>Sandbox</title>');
  });

  test('the API key appears in no page, JSON view or answer', async () => {
    const { authyId } = await newUser();
    await client.requestSms({ authyId }, { force: true });
    await client.createApprovalRequest({ authyId, message: 'Key check' });
    for (const p of [
      '/sandbox',
      '/sandbox/inbox.json',
      '/sandbox/users.json',
      '/sandbox/approvals.json',
      `/sandbox/users/${authyId}/totp.json`,
    ]) {
      const res = await http0.get(base + p, { responseType: 'text' });
      expect(res.data).not.toContain(API_KEY);
    }
    expect(JSON.stringify(await client.requestSms({ authyId }, { force: true }))).not.toContain(API_KEY);
  });
});

describe('bodies the API cannot read', () => {
  test("malformed JSON is 400 and too large a body 413, in Authy's shape, never a 500", async () => {
    const post = (data: string) =>
      http0.post(api('/protected/json/users/new'), data, { headers: { ...withKey.headers, 'Content-Type': 'application/json' } });
    let res = await post('{"user":');
    expect(res.status).toBe(400);
    expectAuthyError(res.data, '60004', 'Invalid parameter: body');
    res = await post(JSON.stringify({ user: { email: 'x'.repeat(20_000) } }));
    expect(res.status).toBe(413);
    expectAuthyError(res.data, '60004', 'Request too large');
  });
});

describe('users', () => {
  test('registerUser creates a user with a numeric Authy ID; the same phone gets the same ID', async () => {
    const res = await client.registerUser({ countryCode: 'US', email: 'alice@example.com', phone: '2015550001' });
    expect(res).toMatchObject({ success: true, message: 'User created successfully.' });
    expect(String(res.user.id)).toMatch(/^\d{8,9}$/);
    const again = await client.registerUser({ countryCode: '1', email: 'alice2@example.com', phone: '(201) 555-0001' });
    expect(again.user.id).toBe(res.user.id);
  });

  test('an invalid user is refused like Authy (400, 60027) and types are checked', async () => {
    let res = await http0.post(api('/protected/json/users/new'), { user: { email: 'nope', cellphone: '12', country_code: '1' } }, withKey);
    expect(res.status).toBe(400);
    expectAuthyError(res.data, '60027', 'User was not valid');
    expect(res.data.errors).toMatchObject({ email: 'is invalid', cellphone: 'is invalid' });

    res = await http0.post(
      api('/protected/json/users/new'),
      { user: { email: { $ne: null }, cellphone: '2015550002', country_code: '1' } },
      withKey,
    );
    expect(res.status).toBe(400);
    expectAuthyError(res.data, '60004');

    res = await http0.post(
      api('/protected/json/users/new'),
      'user[email]=bob%40example.com&user[cellphone]=2015550003&user[country_code]=1',
      {
        headers: { ...withKey.headers, 'Content-Type': 'application/x-www-form-urlencoded' },
      },
    );
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ success: true, message: 'User created successfully.' });
  });

  test('a wrong or missing API key gets 401 (60001), from authy-client and from plain HTTP', async () => {
    const wrong = new Client({ key: 'not-the-key' }, { host: `${base}/sandbox/api` });
    const failure = await authyFailure(wrong.registerUser({ countryCode: 'US', email: 'x@example.com', phone: '2015550004' }));
    expect(failure.code).toBe(401);
    expectAuthyError(failure.body, '60001', 'Invalid API key');

    const res = await http0.get(api('/protected/json/sms/123'));
    expect(res.status).toBe(401);
    expectAuthyError(res.data, '60001');
  });

  test('an unknown user is 404 (60026) for sms, call, verify and push', async () => {
    // Thunks: each call starts when awaited (a rejected promise left waiting makes bluebird warn).
    for (const call of [
      () => client.requestSms({ authyId: '99' }, { force: true }),
      () => client.requestCall({ authyId: '99' }, { force: true }),
      () => client.verifyToken({ authyId: '99', token: '1234567' }),
      () => client.createApprovalRequest({ authyId: '99', message: 'Login' }),
    ]) {
      const failure = await authyFailure(call());
      expect(failure.code).toBe(404);
      expectAuthyError(failure.body, '60026', 'User not found.');
    }
  });

  test("unknown API paths are 404 in Authy's shape", async () => {
    const res = await http0.get(api('/protected/json/nothing/here'), withKey);
    expect(res.status).toBe(404);
    expectAuthyError(res.data, '60000');
  });
});

describe('SMS and voice codes', () => {
  test('requestSms answers as Authy does and the code lands in the log and the inbox', async () => {
    const { authyId, phone } = await newUser();
    const res = await client.requestSms({ authyId }, { force: true });
    expect(res).toEqual({
      success: true,
      message: 'SMS token was sent',
      cellphone: `+1-XXX-XXX-${phone.slice(-4)}`,
      device: null,
      ignored: false,
    });

    const [latest] = await inbox();
    // The fields scripts read, and those added for the page (who the code is for), none renamed.
    expect(Object.keys(latest).sort()).toEqual(['channel', 'code', 'provider', 'purpose', 'sent_at', 'to', 'username']);
    expect(latest).toMatchObject({ provider: 'authy', username: null }); // no app here to name the user
    expect(latest).toMatchObject({ to: `+1 201-…${phone.slice(-4)}`, channel: 'sms', purpose: '2fa' });
    expect(latest.code).toMatch(/^\d{7}$/);
    expect(new Date(latest.sent_at).toISOString()).toBe(latest.sent_at);
    expect(logs.text).toContain(`[sandbox] SMS to +1 201-…${phone.slice(-4)}: ${latest.code}`);
  });

  test('a code verifies once; reused or wrong it is refused (401, 60020)', async () => {
    const { authyId } = await newUser();
    await client.requestSms({ authyId }, { force: true });
    const { code } = (await inbox())[0];

    await expect(client.verifyToken({ authyId, token: code })).resolves.toMatchObject({
      success: true,
      message: 'Token is valid.',
      token: 'is valid',
    });
    const reused = await authyFailure(client.verifyToken({ authyId, token: code }));
    expect(reused.code).toBe(401);
    expectAuthyError(reused.body, '60020', 'Token is invalid');
    expect(reused.body.token).toBe('is invalid');

    const wrong = String((Number(code) + 1) % 10_000_000).padStart(7, '0');
    expect((await authyFailure(client.verifyToken({ authyId, token: wrong }))).code).toBe(401);
  });

  test('a code belongs to its user', async () => {
    const a = await newUser();
    const b = await newUser();
    await client.requestSms({ authyId: a.authyId }, { force: true });
    const { code } = (await inbox())[0];
    expect((await authyFailure(client.verifyToken({ authyId: b.authyId, token: code }))).code).toBe(401);
    await expect(client.verifyToken({ authyId: a.authyId, token: code })).resolves.toMatchObject({ success: true });
  });

  test('a call sends a code too', async () => {
    const { authyId, phone } = await newUser();
    const res = await client.requestCall({ authyId }, { force: true });
    expect(res).toEqual({
      success: true,
      message: 'Call started...',
      cellphone: `+1-XXX-XXX-${phone.slice(-4)}`,
      device: null,
      ignored: false,
    });
    const [latest] = await inbox();
    expect(latest).toMatchObject({ channel: 'call', purpose: '2fa' });
    expect(logs.text).toContain(`[sandbox] Call to +1 201-…${phone.slice(-4)}: ${latest.code}`);
    await expect(client.verifyToken({ authyId, token: latest.code })).resolves.toMatchObject({ success: true });
  });

  test('a code expires after 10 minutes (and leaves the inbox)', async () => {
    const { authyId } = await newUser();
    await client.requestSms({ authyId }, { force: true });
    const { code } = (await inbox())[0];
    offsetMs = 10 * 60 * 1000 + 1000;
    expect((await authyFailure(client.verifyToken({ authyId, token: code }))).code).toBe(401);
    expect((await inbox()).some((m) => m.code === code)).toBe(false);
  });

  test('under concurrent verifications a code is accepted exactly once', async () => {
    const { authyId } = await newUser();
    await client.requestSms({ authyId }, { force: true });
    const { code } = (await inbox())[0];
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => client.verifyToken({ authyId, token: code })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});

describe('soft tokens (TOTP)', () => {
  const totpOf = async (authyId: string) =>
    (await http0.get(`${base}/sandbox/users/${authyId}/totp.json`)).data as { secret: string; otpauth_url: string };
  const tokenAt = (secret: string, date: Date) => generateSync({ secret, epoch: Math.floor(date.getTime() / 1000) });

  test('totp.json gives the secret and otpauth URL; 404 for an unknown user', async () => {
    const { authyId } = await newUser();
    const totp = await totpOf(authyId);
    expect(Object.keys(totp).sort()).toEqual(['otpauth_url', 'secret']);
    expect(totp.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(totp.otpauth_url).toMatch(/^otpauth:\/\/totp\/.*secret=[A-Z2-7]{32}/);
    expect((await http0.get(`${base}/sandbox/users/99/totp.json`)).status).toBe(404);
  });

  test('the current code verifies once; the same step again is refused', async () => {
    const { authyId } = await newUser();
    const { secret } = await totpOf(authyId);
    const token = tokenAt(secret, now());
    await expect(client.verifyToken({ authyId, token })).resolves.toMatchObject({ success: true, token: 'is valid' });
    const reused = await authyFailure(client.verifyToken({ authyId, token }));
    expect(reused.code).toBe(401);
    expectAuthyError(reused.body, '60020');
  });

  test('under concurrent verifications a TOTP step is accepted exactly once', async () => {
    const { authyId } = await newUser();
    const { secret } = await totpOf(authyId);
    const token = tokenAt(secret, now());
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => client.verifyToken({ authyId, token })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  test('the previous step is accepted, then not once a later step was used; two steps off is refused', async () => {
    const { authyId } = await newUser();
    const { secret } = await totpOf(authyId);
    // Pin the clock to the middle of a step so that ±30 s stays within ±1 step.
    const t = now().getTime();
    offsetMs += 15_000 - (t % 30_000);
    const at = now();
    const prev = tokenAt(secret, new Date(at.getTime() - 30_000));
    const cur = tokenAt(secret, at);
    const twoOff = tokenAt(secret, new Date(at.getTime() - 60_000));
    if (twoOff !== prev && twoOff !== cur) expect((await authyFailure(client.verifyToken({ authyId, token: twoOff }))).code).toBe(401);
    await expect(client.verifyToken({ authyId, token: prev })).resolves.toMatchObject({ success: true });
    await expect(client.verifyToken({ authyId, token: cur })).resolves.toMatchObject({ success: true });
    if (prev !== cur) expect((await authyFailure(client.verifyToken({ authyId, token: prev }))).code).toBe(401);
  });
});

describe('push (OneTouch)', () => {
  const approve = (uuid: string, action: 'approve' | 'deny' = 'approve') => http0.post(`${base}/sandbox/approvals/${uuid}/${action}`);
  const details = {
    visible: { 'Authy ID': '0', Username: 'alice', Location: 'San Francisco, CA', Reason: 'Demo by Account Security' },
    hidden: { test: 'This is a' },
  };

  async function newRequest(authyId: string, ttl?: number) {
    const res = await client.createApprovalRequest({ authyId, message: 'Request to log in', details }, ttl === undefined ? {} : { ttl });
    expect(res).toMatchObject({ success: true, approval_request: { uuid: expect.any(String) } });
    return res.approval_request.uuid;
  }

  test('create, get (every field authy-client checks), list', async () => {
    const { authyId } = await newUser();
    const uuid = await newRequest(authyId);
    const res = await client.getApprovalRequest({ id: uuid });
    const ar = res.approval_request;
    expect(ar).toMatchObject({
      uuid,
      status: 'pending',
      _authy_id: Number(authyId),
      notified: false,
      processed_at: null,
      message: 'Request to log in',
      seconds_to_expire: 86400,
    });
    expect(ar.details).toEqual(details.visible);
    for (const field of [
      '_app_name',
      '_app_serial_id',
      '_authy_id',
      '_id',
      '_user_email',
      'app_id',
      'created_at',
      'notified',
      'processed_at',
      'status',
      'updated_at',
      'user_id',
      'uuid',
    ]) {
      expect(ar).toHaveProperty(field);
    }

    const list = (await http0.get(`${base}/sandbox/approvals.json`)).data as Array<Record<string, unknown>>;
    expect(list[0]).toEqual({
      uuid,
      authy_id: authyId,
      message: 'Request to log in',
      status: 'pending',
      created_at: expect.any(String),
      expires_at: expect.any(String),
      provider: 'authy',
      username: null,
    });
  });

  test('approve: 200, a signed callback that authy-client verifies, status approved; again 409', async () => {
    const { authyId } = await newUser();
    const uuid = await newRequest(authyId);
    const before = received.length;

    const res = await approve(uuid);
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ success: true });
    expect(received).toHaveLength(before + 1);

    const cb = received[received.length - 1];
    expect(cb.body).toMatchObject({
      authy_id: Number(authyId),
      callback_action: 'approval_request_status',
      device_uuid: expect.any(String),
      signature: expect.any(String),
      status: 'approved',
      uuid,
      approval_request: {
        expiration_timestamp: expect.any(Number),
        transaction: { status: 'approved', uuid, message: 'Request to log in', details: details.visible, hidden_details: details.hidden },
      },
    });
    await expect(
      client.verifyCallback({
        body: cb.body,
        headers: {
          host: cb.headers.host,
          'x-authy-signature': cb.headers['x-authy-signature'] as string,
          'x-authy-signature-nonce': cb.headers['x-authy-signature-nonce'] as string,
        },
        method: cb.method,
        protocol: cb.protocol,
        url: cb.url,
      }),
    ).resolves.toBeDefined();
    // The app's own check (the shared signer) accepts it too.
    const nonce = cb.headers['x-authy-signature-nonce'] as string;
    expect(
      isValidSignature(
        API_KEY,
        { nonce, method: 'POST', url: base + CALLBACK_PATH, body: cb.body },
        cb.headers['x-authy-signature'] as string,
      ),
    ).toBe(true);

    const after = await client.getApprovalRequest({ id: uuid });
    expect(after.approval_request).toMatchObject({ status: 'approved', processed_at: expect.any(String) });
    expect((await approve(uuid)).status).toBe(409);
    expect((await approve(uuid, 'deny')).status).toBe(409);
  });

  test('deny: callback with status denied and a fresh nonce', async () => {
    const { authyId } = await newUser();
    const uuid = await newRequest(authyId);
    const before = received.length;
    expect((await approve(uuid, 'deny')).status).toBe(200);
    const cb = received[received.length - 1];
    expect(received).toHaveLength(before + 1);
    expect(cb.body).toMatchObject({ status: 'denied', uuid });
    const nonces = received.map((r) => r.headers['x-authy-signature-nonce']);
    expect(new Set(nonces).size).toBe(nonces.length);
    expect((await client.getApprovalRequest({ id: uuid })).approval_request.status).toBe('denied');
  });

  test('two concurrent answers: one wins, the other is 409, one callback', async () => {
    const { authyId } = await newUser();
    const uuid = await newRequest(authyId);
    const before = received.length;
    const statuses = (await Promise.all([approve(uuid), approve(uuid, 'deny'), approve(uuid)])).map((r: AxiosResponse) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409]);
    expect(received).toHaveLength(before + 1);
  });

  test('a request expires after its ttl (computed on read) and can no longer be answered', async () => {
    const { authyId } = await newUser();
    const uuid = await newRequest(authyId, 60);
    expect((await client.getApprovalRequest({ id: uuid })).approval_request).toMatchObject({ status: 'pending', seconds_to_expire: 60 });
    offsetMs = 61_000;
    expect((await client.getApprovalRequest({ id: uuid })).approval_request.status).toBe('expired');
    const list = (await http0.get(`${base}/sandbox/approvals.json`)).data as Array<{ uuid: string; status: string }>;
    expect(list.find((a) => a.uuid === uuid)?.status).toBe('expired');
    expect((await approve(uuid)).status).toBe(409);
  });

  test('a failed callback is logged, not fatal', async () => {
    callbackStatus = 500;
    const { authyId } = await newUser();
    const uuid = await newRequest(authyId);
    expect((await approve(uuid)).status).toBe(200);
    expect(logs.text).toContain('the app refused the OneTouch callback');
    expect((await client.getApprovalRequest({ id: uuid })).approval_request.status).toBe('approved');
  });

  test('unknown requests are 404; bad input is 400; cross-site answers are refused', async () => {
    const missing = await authyFailure(client.getApprovalRequest({ id: 'no-such-uuid' }));
    expect(missing.code).toBe(404);
    expectAuthyError(missing.body, '60049');
    expect((await approve('no-such-uuid')).status).toBe(404);

    const { authyId } = await newUser();
    const bad = await http0.post(api(`/onetouch/json/users/${authyId}/approval_requests`), { message: { $gt: '' } }, withKey);
    expect(bad.status).toBe(400);
    expectAuthyError(bad.data, '60004');
    const badDetails = await http0.post(
      api(`/onetouch/json/users/${authyId}/approval_requests`),
      { message: 'Hi', details: { a: { b: 1 } } },
      withKey,
    );
    expect(badDetails.status).toBe(400);

    const uuid = await newRequest(authyId);
    const cross = await http0.post(`${base}/sandbox/approvals/${uuid}/approve`, null, { headers: { Origin: 'http://evil.example' } });
    expect(cross.status).toBe(403);
    expect((await client.getApprovalRequest({ id: uuid })).approval_request.status).toBe('pending');
  });
});

describe('phone verification', () => {
  let seq = 200;
  const nextPhone = () => `201555${String(seq++).padStart(4, '0')}`;
  const start = (phone: string, via = 'sms') =>
    http0.post(api('/protected/json/phones/verification/start'), { via, phone_number: phone, country_code: 1, code_length: 4 }, withKey);
  const check = (phone: string, code: string) =>
    http0.get(api('/protected/json/phones/verification/check'), {
      ...withKey,
      params: { phone_number: phone, country_code: '1', verification_code: code },
    });
  const latestCode = async () => {
    const [m] = await inbox();
    expect(m).toMatchObject({ purpose: 'verification' });
    return m.code;
  };

  test('start sends a 4-digit code by SMS or call; check accepts it once', async () => {
    const phone = nextPhone();
    const res = await start(phone);
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({
      success: true,
      message: `Text message sent to +1 201-…${phone.slice(-4)}.`,
      is_cellphone: true,
      is_ported: false,
    });
    const code = await latestCode();
    expect(code).toMatch(/^\d{4}$/);
    expect(
      logs.lines.some((l) => l.includes(`[sandbox] SMS to +1 201-…${phone.slice(-4)}: ${code}`) && l.includes('"purpose":"verification"')),
    ).toBe(true);

    const ok = await check(phone, code);
    expect(ok.status).toBe(200);
    expect(ok.data).toEqual({ message: 'Verification code is correct.', success: true });
    const again = await check(phone, code);
    expect(again.status).toBe(404);
    expectAuthyError(again.data, '60023');

    expect((await start(nextPhone(), 'call')).status).toBe(200);
    expect((await inbox())[0]).toMatchObject({ channel: 'call', purpose: 'verification' });
  });

  test("authy-client's own startPhoneVerification and verifyPhone accept the answers", async () => {
    const phone = nextPhone();
    await expect(client.startPhoneVerification({ countryCode: 'US', phone, via: 'sms' })).resolves.toMatchObject({ success: true });
    const code = await latestCode();
    await expect(client.verifyPhone({ countryCode: 'US', phone, token: code })).resolves.toMatchObject({
      message: 'Verification code is correct.',
    });
  });

  test('a wrong code is 401 (60022); after 5 tries even the right one is refused (429, 60003)', async () => {
    const phone = nextPhone();
    await start(phone);
    const code = await latestCode();
    const wrong = String((Number(code) + 1) % 10_000).padStart(4, '0');
    for (let i = 0; i < 5; i++) {
      const res = await check(phone, wrong);
      expect(res.status).toBe(401);
      expectAuthyError(res.data, '60022', 'Verification code is incorrect');
    }
    const sixth = await check(phone, code);
    expect(sixth.status).toBe(429);
    expectAuthyError(sixth.data, '60003');
  });

  test('concurrent tries still count: of 8 at once, 5 are checked and 3 refused', async () => {
    const phone = nextPhone();
    await start(phone);
    const code = await latestCode();
    const wrong = String((Number(code) + 1) % 10_000).padStart(4, '0');
    const statuses = (await Promise.all(Array.from({ length: 8 }, () => check(phone, wrong)))).map((r) => r.status).sort();
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
  });

  test('a code expires after 10 minutes', async () => {
    const phone = nextPhone();
    await start(phone);
    const code = await latestCode();
    offsetMs = 10 * 60 * 1000 + 1000;
    const res = await check(phone, code);
    expect(res.status).toBe(404);
    expectAuthyError(res.data, '60023');
  });

  test("bad input is 400 in Authy's shape; no pending verification is 404", async () => {
    let res = await http0.post(
      api('/protected/json/phones/verification/start'),
      { via: 'fax', phone_number: nextPhone(), country_code: '1' },
      withKey,
    );
    expect(res.status).toBe(400);
    expectAuthyError(res.data, '60004');
    res = await http0.post(
      api('/protected/json/phones/verification/start'),
      { via: 'sms', phone_number: { $ne: null }, country_code: '1' },
      withKey,
    );
    expect(res.status).toBe(400);
    res = await http0.post(
      api('/protected/json/phones/verification/start'),
      { via: 'sms', phone_number: 'abc', country_code: '1' },
      withKey,
    );
    expect(res.status).toBe(400);
    expectAuthyError(res.data, '60033');
    res = await http0.get(
      `${api('/protected/json/phones/verification/check')}?phone_number=1&phone_number=2&country_code=1&verification_code=1234`,
      withKey,
    );
    expect(res.status).toBe(400);
    res = await check(nextPhone(), '1234');
    expect(res.status).toBe(404);
    expectAuthyError(res.data, '60023');
  });
});
