// The embedded Twilio Verify, driven by the official `twilio` library (which parses every answer
// and turns Twilio's errors into RestExceptions), on the test database. A little endpoint in the
// test receives the push webhooks and checks them with the library's own validateRequest.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import axios from 'axios';
import express from 'express';
import { generateSync } from 'otplib';
import twilio from 'twilio';
import { createLogger } from '../../server/platform/logger';
import { createSandbox, sandboxTwilioAccount } from '../../server/sandbox';
import { LogCapture, registerLogs } from '../support/app';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { SANDBOX_TWILIO_TOKEN } from '../support/sandbox-app';

const account = sandboxTwilioAccount(SANDBOX_TWILIO_TOKEN);
const WEBHOOK_PATH = '/hooks/verify';

interface Received {
  body: Record<string, string>;
  signature: string | undefined;
}

let db: TestDatabase;
let server: http.Server;
let base: string;
let offsetMs = 0;
const received: Received[] = [];
const now = () => new Date(Date.now() + offsetMs);
let client: twilio.Twilio;
let service: ReturnType<twilio.Twilio['verify']['v2']['services']>;

const http0 = axios.create({ validateStatus: () => true, proxy: false });

beforeAll(async () => {
  db = await openTestDatabase();
  server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const app = express();
  app.use(
    '/sandbox',
    createSandbox({
      connection: db.connection,
      apiKey: 'sandbox-test-key-0123456789abcdef',
      callbackUrl: `${base}/hooks/onetouch`,
      verify: { ...account, webhookUrl: base + WEBHOOK_PATH },
      publicDir: os.tmpdir(),
      logger: createLogger('info', registerLogs(new LogCapture())),
      now,
    }),
  );
  app.post(WEBHOOK_PATH, express.urlencoded({ extended: false }), (req, res) => {
    received.push({ body: { ...(req.body as Record<string, string>) }, signature: req.get('x-twilio-signature') });
    res.json({ ok: true });
  });
  server.on('request', app);
  client = twilio(account.accountSid, account.authToken);
  client.verify.baseUrl = `${base}/sandbox/verify`;
  service = client.verify.v2.services(account.serviceSid);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db.close();
});

afterEach(() => {
  offsetMs = 0;
});

/** The RestException a call fails with. */
async function failure(p: PromiseLike<unknown>): Promise<{ status: number; code: number; message: string; moreInfo: string }> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof twilio.RestException)) throw err;
    return { status: err.status, code: err.code!, message: err.message, moreInfo: err.moreInfo! };
  }
  throw new Error('expected the call to fail');
}

let phoneSeq = 100;
const newPhone = () => `+1201555${String(phoneSeq++).padStart(4, '0')}`;
let identitySeq = 0;
const newIdentity = () => `entity-${Date.now().toString(36)}-${identitySeq++}`;

async function inboxCode(to: string): Promise<string> {
  const inbox = (await http0.get(`${base}/sandbox/inbox.json`)).data as { to: string; purpose: string; code: string }[];
  const m = inbox.find((x) => x.purpose === 'verify' && x.to.endsWith(to.slice(-4)));
  expect(m).toBeDefined();
  return m!.code;
}

const totpOf = (secret: string, stepOffset = 0) =>
  generateSync({ secret, epoch: Math.floor(now().getTime() / 1000) + stepOffset * 30, period: 30, digits: 6, algorithm: 'sha1' });

// First, while there are few factors: qrcode's PNG encoder is slow under Jest (fast in Node).
describe('what the sandbox shows and never shows', () => {
  test('users.json and totp.json show Verify TOTP factors; no page or answer holds the auth token', async () => {
    const identity = newIdentity();
    const factor = await service.entities(identity).newFactors.create({ friendlyName: 'lin', factorType: 'totp' });
    const users = (await http0.get(`${base}/sandbox/users.json`)).data as Record<string, unknown>[];
    expect(users.find((u) => u.identity === identity)).toMatchObject({
      factor_sid: factor.sid,
      name: 'lin',
      status: 'unverified',
      qr_code: expect.stringMatching(/^data:image\/png;base64,/),
      totp: { code: expect.stringMatching(/^\d{6}$/), seconds_left: expect.any(Number) },
    });
    const totp = (await http0.get(`${base}/sandbox/users/${identity}/totp.json`)).data as { secret: string };
    expect(totp.secret).toBe((factor.binding as { secret: string }).secret);

    const answers = [JSON.stringify(factor.toJSON()), JSON.stringify(users)];
    for (const p of ['/sandbox/inbox.json', '/sandbox/approvals.json', `/sandbox/users/${identity}/totp.json`]) {
      answers.push((await http0.get(base + p, { responseType: 'text' })).data as string);
    }
    for (const text of answers) expect(text).not.toContain(account.authToken);
  });
});

describe('authentication and the service', () => {
  test('a wrong auth token is 401 with code 20003; another service is 404 with 20404', async () => {
    const wrong = twilio(account.accountSid, 'not-the-sandbox-token-0123456789');
    wrong.verify.baseUrl = `${base}/sandbox/verify`;
    expect(
      await failure(wrong.verify.v2.services(account.serviceSid).verifications.create({ to: newPhone(), channel: 'sms' })),
    ).toMatchObject({
      status: 401,
      code: 20003,
      message: 'Authenticate',
      moreInfo: 'https://www.twilio.com/docs/errors/20003',
    });
    const other = client.verify.v2.services(`VA${'0'.repeat(32)}`);
    expect(await failure(other.verifications.create({ to: newPhone(), channel: 'sms' }))).toMatchObject({ status: 404, code: 20404 });
    const res = await http0.post(`${base}/sandbox/verify/v2/Services/${account.serviceSid}/Verifications`, 'To=%2B12015550000&Channel=sms');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic/);
  });

  test('a body too large to read is 400 with code 60200, never a 500', async () => {
    const res = await http0.post(`${base}/sandbox/verify/v2/Services/${account.serviceSid}/Verifications`, `To=${'1'.repeat(20_000)}`, {
      auth: { username: account.accountSid, password: account.authToken },
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(400);
    expect(res.data).toMatchObject({ status: 400, code: 60200, message: 'Invalid parameter: body' });
  });
});

describe('verifications: codes by SMS and call', () => {
  test('create (201) and check: a wrong code is pending, the right one approved, then the verification is gone (20404)', async () => {
    const to = newPhone();
    const v = await service.verifications.create({ to, channel: 'sms' });
    expect(v).toMatchObject({
      to,
      channel: 'sms',
      status: 'pending',
      valid: false,
      serviceSid: account.serviceSid,
      accountSid: account.accountSid,
    });
    expect(v.sid).toMatch(/^VE[0-9a-f]{32}$/);
    expect(v.dateCreated).toBeInstanceOf(Date);
    expect(v.sendCodeAttempts).toHaveLength(1);
    expect(v.url).toBe(`${base}/sandbox/verify/v2/Services/${account.serviceSid}/Verifications/${v.sid}`);

    const code = await inboxCode(to);
    expect(code).toMatch(/^\d{6}$/);
    const wrong = await service.verificationChecks.create({ to, code: code === '000000' ? '111111' : '000000' });
    expect(wrong).toMatchObject({ sid: v.sid, status: 'pending', valid: false });
    const right = await service.verificationChecks.create({ to, code });
    expect(right).toMatchObject({ sid: v.sid, status: 'approved', valid: true, to, channel: 'sms' });
    expect(await failure(service.verificationChecks.create({ to, code }))).toMatchObject({ status: 404, code: 20404 });
  });

  test('a check by VerificationSid works too; with nothing pending it is 20404', async () => {
    const to = newPhone();
    expect(await failure(service.verificationChecks.create({ to, code: '123456' }))).toMatchObject({ status: 404, code: 20404 });
    const v = await service.verifications.create({ to, channel: 'call' });
    const checked = await service.verificationChecks.create({ verificationSid: v.sid, code: await inboxCode(to) });
    expect(checked).toMatchObject({ status: 'approved', channel: 'call' });
  });

  test('five checks at most: the sixth is 429 with 60202, even with the right code', async () => {
    const to = newPhone();
    await service.verifications.create({ to, channel: 'sms' });
    const code = await inboxCode(to);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) expect((await service.verificationChecks.create({ to, code: wrong })).status).toBe('pending');
    expect(await failure(service.verificationChecks.create({ to, code }))).toMatchObject({
      status: 429,
      code: 60202,
      message: 'Max check attempts reached',
    });
  });

  test('sending again reuses the verification and its code; the sixth send is 429 with 60203', async () => {
    const to = newPhone();
    const first = await service.verifications.create({ to, channel: 'sms' });
    const code = await inboxCode(to);
    for (let i = 2; i <= 5; i++) {
      const again = await service.verifications.create({ to, channel: i % 2 ? 'sms' : 'call' });
      expect(again.sid).toBe(first.sid);
      expect(again.sendCodeAttempts).toHaveLength(i);
      expect(await inboxCode(to)).toBe(code);
    }
    expect(await failure(service.verifications.create({ to, channel: 'sms' }))).toMatchObject({ status: 429, code: 60203 });
  });

  test('a code lives 10 minutes: after that the check is 20404', async () => {
    const to = newPhone();
    await service.verifications.create({ to, channel: 'sms' });
    const code = await inboxCode(to);
    offsetMs = 10 * 60 * 1000 + 1000;
    expect(await failure(service.verificationChecks.create({ to, code }))).toMatchObject({ status: 404, code: 20404 });
  });

  test('a Code outside 4 to 10 characters is 400 with 60200 (not a wrong code: no check is used)', async () => {
    const to = newPhone();
    const v = await service.verifications.create({ to, channel: 'sms' });
    for (const code of ['123', '12345678901']) {
      expect(await failure(service.verificationChecks.create({ verificationSid: v.sid, code }))).toMatchObject({
        status: 400,
        code: 60200,
        message: 'Invalid parameter: Code',
      });
    }
    for (let i = 0; i < 4; i++)
      expect((await service.verificationChecks.create({ verificationSid: v.sid, code: '0000' })).status).toBe('pending');
    expect((await service.verificationChecks.create({ verificationSid: v.sid, code: await inboxCode(to) })).status).toBe('approved');
  });

  test("the phone verification demo's Service is another one: its Verifications and their checks never touch the 2FA ones", async () => {
    const demo = client.verify.v2.services(account.demoServiceSid);
    const to = newPhone();
    const twofa = await service.verifications.create({ to, channel: 'sms' });
    const code = await inboxCode(to);
    const other = await demo.verifications.create({ to, channel: 'sms' });
    expect(other.sid).not.toBe(twofa.sid);
    expect(other.serviceSid).toBe(account.demoServiceSid);
    for (let i = 0; i < 5; i++) await demo.verificationChecks.create({ verificationSid: other.sid, code: '0000' });
    expect(await failure(demo.verificationChecks.create({ verificationSid: other.sid, code: '0000' }))).toMatchObject({ code: 60202 });
    // The 2FA Verification of the same number still has all its checks, and its code.
    expect(await failure(demo.verificationChecks.create({ verificationSid: twofa.sid, code }))).toMatchObject({ status: 404, code: 20404 });
    expect((await service.verificationChecks.create({ verificationSid: twofa.sid, code })).status).toBe('approved');
  });

  test('a number that is not E.164, or a channel the sandbox does not play, is 400 with 60200', async () => {
    expect(await failure(service.verifications.create({ to: '2015550100', channel: 'sms' }))).toMatchObject({
      status: 400,
      code: 60200,
      message: 'Invalid parameter: To',
    });
    expect(await failure(service.verifications.create({ to: newPhone(), channel: 'email' }))).toMatchObject({ status: 400, code: 60200 });
  });
});

describe('entities, TOTP factors and challenges', () => {
  async function newTotp() {
    const identity = newIdentity();
    const factor = await service.entities(identity).newFactors.create({ friendlyName: 'ada', factorType: 'totp' });
    return { identity, factor, entity: service.entities(identity), secret: (factor.binding as { secret: string }).secret };
  }

  test('a new factor is unverified and carries its binding (secret and otpauth URI) this once', async () => {
    const { identity, factor, entity } = await newTotp();
    expect(factor).toMatchObject({ identity, status: 'unverified', factorType: 'totp', friendlyName: 'ada' });
    expect(factor.sid).toMatch(/^YF[0-9a-f]{32}$/);
    expect(factor.entitySid).toMatch(/^YE[0-9a-f]{32}$/);
    expect(factor.binding).toEqual({
      secret: expect.stringMatching(/^[A-Z2-7]{32}$/),
      uri: expect.stringMatching(/^otpauth:\/\/totp\/.*ada\?.*secret=/),
    });
    expect(factor.config).toEqual({ alg: 'sha1', skew: 1, code_length: 6, time_step: 30 });
    expect(factor.options).toBeNull();
    const fetched = await entity.factors(factor.sid).fetch();
    expect(fetched).toMatchObject({ sid: factor.sid, status: 'unverified' });
    expect((fetched.toJSON() as { binding?: unknown }).binding).toBeUndefined();
  });

  test('a factor can be deleted (204); then it is 20404', async () => {
    const { factor, entity } = await newTotp();
    expect(await entity.factors(factor.sid).remove()).toBe(true);
    expect(await failure(entity.factors(factor.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await failure(entity.factors(factor.sid).remove())).toMatchObject({ status: 404, code: 20404 });
  });

  test('an AuthPayload shorter than 3 characters is 400 with 60200, for a challenge and for the first code', async () => {
    const { factor, entity, secret } = await newTotp();
    expect(await failure(entity.factors(factor.sid).update({ authPayload: '12' }))).toMatchObject({ status: 400, code: 60200 });
    await entity.factors(factor.sid).update({ authPayload: totpOf(secret) });
    expect(await failure(entity.challenges.create({ factorSid: factor.sid, authPayload: '12' }))).toMatchObject({
      status: 400,
      code: 60200,
      message: 'Invalid parameter: AuthPayload',
    });
  });

  test('unverified: a challenge is 403 with 60318; a wrong code leaves it unverified, the right one verifies it', async () => {
    const { factor, entity, secret } = await newTotp();
    expect(await failure(entity.challenges.create({ factorSid: factor.sid, authPayload: totpOf(secret) }))).toMatchObject({
      status: 403,
      code: 60318,
    });
    const code = totpOf(secret);
    expect((await entity.factors(factor.sid).update({ authPayload: code === '000000' ? '111111' : '000000' })).status).toBe('unverified');
    expect((await entity.factors(factor.sid).update({ authPayload: code })).status).toBe('verified');
  });

  test('verified: a challenge with the right code is approved once; a wrong or reused code stays pending', async () => {
    const { factor, entity, secret } = await newTotp();
    await entity.factors(factor.sid).update({ authPayload: totpOf(secret) });
    const next = totpOf(secret, 1);
    const wrong = await entity.challenges.create({ factorSid: factor.sid, authPayload: next === '000000' ? '111111' : '000000' });
    expect(wrong).toMatchObject({ status: 'pending', factorType: 'totp', factorSid: factor.sid });
    const right = await entity.challenges.create({ factorSid: factor.sid, authPayload: next });
    expect(right).toMatchObject({ status: 'approved', respondedReason: 'none' });
    expect(right.sid).toMatch(/^YC[0-9a-f]{32}$/);
    expect(right.dateResponded).toBeInstanceOf(Date);
    expect((await entity.challenges.create({ factorSid: factor.sid, authPayload: next })).status).toBe('pending');
  });

  test("the entity's factors: the TOTP one, and the sandbox phone's verified push factor (the Verify Push SDK's stand-in)", async () => {
    const { identity, factor, entity } = await newTotp();
    const factors = await entity.factors.list({ limit: 20 });
    expect(factors.map((f) => [f.factorType, f.status])).toEqual(
      expect.arrayContaining([
        ['totp', 'unverified'],
        ['push', 'verified'],
      ]),
    );
    expect(factors.find((f) => f.factorType === 'totp')?.sid).toBe(factor.sid);
    expect(factors.every((f) => f.identity === identity)).toBe(true);
    expect(await failure(service.entities('no-such-entity-1').factors.list())).toMatchObject({ status: 404, code: 20404 });
    expect(await failure(service.entities('bad identity!').factors.list())).toMatchObject({ status: 400, code: 60366 });
  });
});

describe('push challenges and the signed webhook', () => {
  async function pushChallenge(expiresInS = 120) {
    const identity = newIdentity();
    const entity = service.entities(identity);
    await entity.newFactors.create({ friendlyName: 'grace', factorType: 'totp' });
    const device = (await entity.factors.list()).find((f) => f.factorType === 'push')!;
    const challenge = await entity.challenges.create({
      factorSid: device.sid,
      'details.message': 'Login requested for an Authy Demo account.',
      'details.fields': [
        { label: 'Username', value: 'grace' },
        { label: 'Location', value: 'San Francisco, CA' },
      ],
      hiddenDetails: { test: 'This is a' },
      expirationDate: new Date(now().getTime() + expiresInS * 1000),
    });
    return { identity, entity, device, challenge };
  }
  const answer = (sid: string, action: 'approve' | 'deny') => http0.post(`${base}/sandbox/approvals/${sid}/${action}`, {});

  test('created pending with its details; listed on the phone; approved there → a webhook validateRequest accepts', async () => {
    const { identity, entity, device, challenge } = await pushChallenge();
    expect(challenge).toMatchObject({ status: 'pending', factorType: 'push', factorSid: device.sid, identity });
    expect(challenge.details).toMatchObject({
      message: 'Login requested for an Authy Demo account.',
      fields: [
        { label: 'Username', value: 'grace' },
        { label: 'Location', value: 'San Francisco, CA' },
      ],
    });
    expect(challenge.hiddenDetails).toEqual({ test: 'This is a' });
    expect(challenge.expirationDate).toBeInstanceOf(Date);
    expect(challenge.links).toEqual({ notifications: `${challenge.url}/Notifications` });

    const list = (await http0.get(`${base}/sandbox/approvals.json`)).data as Record<string, unknown>[];
    expect(list.find((a) => a.uuid === challenge.sid)).toEqual({
      uuid: challenge.sid,
      identity,
      message: 'Login requested for an Authy Demo account.',
      status: 'pending',
      created_at: expect.any(String),
      expires_at: challenge.expirationDate.toISOString(),
      provider: 'verify',
      username: null,
    });

    const before = received.length;
    expect((await answer(challenge.sid, 'approve')).status).toBe(200);
    expect(received).toHaveLength(before + 1);
    const hook = received[received.length - 1];
    expect(hook.body).toMatchObject({
      type: 'challenge.approved',
      challenge_sid: challenge.sid,
      entity_identity: identity,
      factor_sid: device.sid,
      factor_type: 'push',
      service_sid: account.serviceSid,
      account_sid: account.accountSid,
    });
    expect(hook.body.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(hook.body.challenge_details)).toMatchObject({ message: 'Login requested for an Authy Demo account.' });
    expect(twilio.validateRequest(account.authToken, hook.signature!, base + WEBHOOK_PATH, hook.body)).toBe(true);
    // Any change to the body, the URL or the token breaks it.
    expect(
      twilio.validateRequest(account.authToken, hook.signature!, base + WEBHOOK_PATH, { ...hook.body, type: 'challenge.denied' }),
    ).toBe(false);
    expect(twilio.validateRequest(account.authToken, hook.signature!, `https://evil.example${WEBHOOK_PATH}`, hook.body)).toBe(false);
    expect(twilio.validateRequest('another-token-0123456789abcdef', hook.signature!, base + WEBHOOK_PATH, hook.body)).toBe(false);

    expect((await entity.challenges(challenge.sid).fetch()).status).toBe('approved');
    expect((await answer(challenge.sid, 'deny')).status).toBe(409);
  });

  test('denied on the phone: the webhook says challenge.denied and the fetch says denied', async () => {
    const { entity, challenge } = await pushChallenge();
    expect((await answer(challenge.sid, 'deny')).status).toBe(200);
    const hook = received[received.length - 1];
    expect(hook.body).toMatchObject({ type: 'challenge.denied', challenge_sid: challenge.sid });
    expect(twilio.validateRequest(account.authToken, hook.signature!, base + WEBHOOK_PATH, hook.body)).toBe(true);
    expect((await entity.challenges(challenge.sid).fetch()).status).toBe('denied');
  });

  test('unanswered past its expiration date: expired, and the phone can no longer answer', async () => {
    const { entity, challenge } = await pushChallenge(120);
    offsetMs = 121 * 1000;
    expect((await entity.challenges(challenge.sid).fetch()).status).toBe('expired');
    expect((await answer(challenge.sid, 'approve')).status).toBe(409);
  });

  test('bad details are refused: no message (60368), a field too long (60368), an expiration past 60 minutes (60200)', async () => {
    const { entity, device } = await pushChallenge();
    expect(await failure(entity.challenges.create({ factorSid: device.sid }))).toMatchObject({ status: 400, code: 60368 });
    expect(
      await failure(
        entity.challenges.create({
          factorSid: device.sid,
          'details.message': 'm',
          'details.fields': [{ label: 'x'.repeat(37), value: 'v' }],
        }),
      ),
    ).toMatchObject({ code: 60368 });
    expect(
      await failure(
        entity.challenges.create({
          factorSid: device.sid,
          'details.message': 'm',
          expirationDate: new Date(now().getTime() + 61 * 60 * 1000),
        }),
      ),
    ).toMatchObject({ code: 60200 });
    expect(await failure(entity.challenges(`YC${'0'.repeat(32)}`).fetch())).toMatchObject({ status: 404, code: 20404 });
  });
});
