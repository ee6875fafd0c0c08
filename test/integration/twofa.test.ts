// The second factor: SMS, voice, token verify, push, and the signed callback.
import request from 'supertest';
import { client, get, post } from '../support/http';
import { legacySha256 } from '../../server/auth/password';
import { randomUUID } from 'node:crypto';
import { userModel } from '../../server/auth/user.model';
import { signCallback } from '../../server/providers/authy/signature';
import { AUTHY_CALLBACK_PATH as CALLBACK_PATH } from '../../server/providers/authy/authy-provider';
import { PUBLIC_URL, TEST_API_KEY, useTestApp } from '../support/app';
import { authyScope, replies } from '../support/authy-nock';
import { registeredAgent, sessionCookie } from '../support/users';
import { USED_CODE } from '../../server/twofa/twofa.routes';

const t = useTestApp();

const ROUTES = ['sms', 'voice', 'verify', 'onetouch', 'onetouchstatus'];

test.each(ROUTES)('POST /api/accountsecurity/%s needs a login (401)', async (route) => {
  const res = await post(t.app, `/api/accountsecurity/${route}`).send({ token: '123456' }).expect(401);
  expect(res.body).toEqual({ error: 'Please log in first.' });
});

describe('codes by SMS and call', () => {
  test('SMS answers with the masked number only', async () => {
    const { agent } = await registeredAgent(t.app, 'sms', 5001);
    authyScope().get('/protected/json/sms/5001').query({ force: 'true' }).reply(200, replies.smsSent);
    const res = await agent.post('/api/accountsecurity/sms').expect(200);
    expect(res.body).toEqual({ success: true, message: 'SMS token was sent', cellphone: '+1-XXX-XXX-1234' });
  });

  test('voice asks Authy for a call', async () => {
    const { agent } = await registeredAgent(t.app, 'voice', 5002);
    authyScope().get('/protected/json/call/5002').query({ force: 'true' }).reply(200, replies.callStarted);
    const res = await agent.post('/api/accountsecurity/voice').expect(200);
    expect(res.body).toEqual({ success: true, message: 'Call started...', cellphone: '+1-XXX-XXX-1234' });
  });

  test("a wrong API key is our fault: 502 with Authy's message", async () => {
    const { agent } = await registeredAgent(t.app, 'badkey', 5003);
    authyScope().get('/protected/json/sms/5003').query(true).reply(401, replies.invalidKey);
    const res = await agent.post('/api/accountsecurity/sms').expect(502);
    expect(res.body.error).toMatch(/Invalid API key/);
  });

  test('Authy too slow is 504', async () => {
    const { agent } = await registeredAgent(t.app, 'slowsms', 5004);
    authyScope().get('/protected/json/call/5004').query(true).delay(2500).reply(200, replies.callStarted);
    await agent.post('/api/accountsecurity/voice').expect(504);
  });

  test('a session whose user was deleted is ended, not a crash (the original crashed)', async () => {
    const { agent } = await registeredAgent(t.app, 'ghost', 5005);
    await userModel(t.db.connection).deleteOne({ username: 'ghost' });
    await agent.post('/api/accountsecurity/verify').send({ token: '1234567' }).expect(401);
    await agent.post('/api/accountsecurity/onetouch').expect(401);
    expect((await agent.post('/api/loggedIn')).body).toEqual({ url: '/login' });
  });

  test('a user the original saved half-way (authyId null) gets a clear 409 on every channel', async () => {
    // As the original's registration wrote it before Authy answered: mongoose's __v, an unsalted SHA-256 hash.
    await t.db.connection.collection('users').insertOne({
      username: 'halfway',
      hashed_password: legacySha256('old password'),
      email: 'halfway@example.com',
      authyId: null,
      __v: 0,
    });
    const agent = client(t.app);
    await agent.post('/api/login').send({ username: 'halfway', password: 'old password' }).expect(200);
    const refused = { error: 'This account has no Authy id; please register again.' };
    await agent.post('/api/accountsecurity/sms').expect(409, refused);
    await agent.post('/api/accountsecurity/voice').expect(409, refused);
    await agent.post('/api/accountsecurity/verify').send({ token: '1234567' }).expect(409, refused);
    await agent.post('/api/accountsecurity/onetouch').expect(409, refused);
    await agent.get('/api/protected').expect(403);
  });

  test('a user registered with Verify gets a 409 from Authy that says so, and Authy is not called', async () => {
    await userModel(t.db.connection).create({
      username: 'verifyuser',
      email: 'verifyuser@example.com',
      hashed_password: legacySha256('old password'),
      phone: '+14155550100',
      verify: { identity: 'a'.repeat(32), totpFactorSid: 'YF' + '0'.repeat(32) },
    });
    const agent = client(t.app);
    await agent.post('/api/login').send({ username: 'verifyuser', password: 'old password' }).expect(200);
    const refused = { error: 'This account was not registered with Authy, the 2FA service this app now uses.' };
    await agent.post('/api/accountsecurity/sms').expect(409, refused);
    await agent.post('/api/accountsecurity/verify').send({ token: '1234567' }).expect(409, refused);
    await agent.post('/api/accountsecurity/onetouch').expect(409, refused);
    await agent.get('/api/accountsecurity/softtoken').expect(409, refused);
  });

  test('no user is written without a 2FA record of some provider', async () => {
    const person = { username: 'norecord', email: 'norecord@example.com', hashed_password: 'x', phone: '+14155550100' };
    await expect(userModel(t.db.connection).create(person)).rejects.toThrow(/a 2FA provider’s record/);
    await expect(userModel(t.db.connection).create({ ...person, authyId: '5100' })).resolves.toBeDefined();
  });
});

describe('POST /api/accountsecurity/verify', () => {
  test.each([[undefined], [''], ['12345'], ['12345678901'], ['abcdef'], [{ $ne: null }], [1234567]])('token %j is a 400', async (token) => {
    const { agent } = await registeredAgent(t.app, `badtoken${Math.random().toString(36).slice(2, 8)}`, 6001);
    const res = await agent.post('/api/accountsecurity/verify').send({ token }).expect(400);
    expect(res.body.field).toBe('token');
  });

  test('a wrong token is a 401 and 2FA stays pending', async () => {
    const { agent } = await registeredAgent(t.app, 'wrongtoken', 6002);
    authyScope().get('/protected/json/verify/0000000/6002').reply(401, replies.tokenInvalid);
    const res = await agent.post('/api/accountsecurity/verify').send({ token: '0000000' }).expect(401);
    expect(res.body).toEqual({ error: 'That token is not valid.', field: 'token' });
    await agent.get('/api/protected').expect(403);
  });

  test('the code just used, tried again (the API says "invalid"), is told apart: already used, wait for the next one', async () => {
    const { agent } = await registeredAgent(t.app, 'reusedtoken', 6010);
    authyScope().get('/protected/json/verify/1234567/6010').reply(200, replies.tokenValid);
    await agent.post('/api/accountsecurity/verify').send({ token: '1234567' }).expect(200);

    const again = client(t.app);
    await again.post('/api/login').send({ username: 'reusedtoken', password: 'correct horse battery' }).expect(200);
    authyScope().get('/protected/json/verify/1234567/6010').reply(401, replies.tokenInvalid);
    expect((await again.post('/api/accountsecurity/verify').send({ token: '1234567' }).expect(401)).body).toEqual({
      error: USED_CODE,
      field: 'token',
    });
    authyScope().get('/protected/json/verify/7654321/6010').reply(401, replies.tokenInvalid);
    expect((await again.post('/api/accountsecurity/verify').send({ token: '7654321' }).expect(401)).body.error).toBe(
      'That token is not valid.',
    );
    // Another user's used code is just not valid for this one.
    const { agent: other } = await registeredAgent(t.app, 'reusedother', 6011);
    authyScope().get('/protected/json/verify/1234567/6011').reply(401, replies.tokenInvalid);
    expect((await other.post('/api/accountsecurity/verify').send({ token: '1234567' }).expect(401)).body.error).toBe(
      'That token is not valid.',
    );
  });

  test('the right token passes 2FA under a new session id; the old id is dead', async () => {
    const { agent } = await registeredAgent(t.app, 'righttoken', 6003);
    const before = sessionCookie(await agent.post('/api/login').send({ username: 'righttoken', password: 'correct horse battery' }));
    authyScope().get('/protected/json/verify/7654321/6003').reply(200, replies.tokenValid);
    const res = await agent.post('/api/accountsecurity/verify').send({ token: '7654321' }).expect(200, { success: true });
    const after = sessionCookie(res);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    await agent.get('/api/protected').expect(200);
    await get(t.app, '/api/protected').set('Cookie', before!).expect(401);
  });
});

describe('push (OneTouch)', () => {
  async function pushPending(username: string, authyId: number) {
    const { agent } = await registeredAgent(t.app, username, authyId);
    const uuid = randomUUID();
    authyScope().post(`/onetouch/json/users/${authyId}/approval_requests`).reply(200, replies.approvalCreated(uuid));
    await agent.post('/api/accountsecurity/onetouch').expect(200, { success: true, approval_request: { uuid } });
    return { agent, uuid };
  }

  test('no request pending is a 404', async () => {
    const { agent } = await registeredAgent(t.app, 'nopush', 7001);
    await agent.post('/api/accountsecurity/onetouchstatus').expect(404);
  });

  test('Authy answering with a uuid it gave before is a 502, not a 500; the first request keeps its record', async () => {
    const { agent, uuid } = await pushPending('pushtwice', 7009);
    authyScope().post('/onetouch/json/users/7009/approval_requests').reply(200, replies.approvalCreated(uuid));
    const res = await agent.post('/api/accountsecurity/onetouch').expect(502);
    expect(res.body).toEqual({ error: 'The 2FA provider answered with a push request it had given before.' });
    expect(await t.db.connection.collection('approval_requests').countDocuments({ pushId: uuid })).toBe(1);
  });

  test('the status answer carries uuid and status only (the original returned the API key)', async () => {
    const { agent, uuid } = await pushPending('pushshape', 7002);
    authyScope()
      .get(`/onetouch/json/approval_requests/${uuid}`)
      .reply(200, { ...replies.approvalStatus(uuid, 'pending'), request: { qs: { api_key: TEST_API_KEY } } });
    const res = await agent.post('/api/accountsecurity/onetouchstatus').expect(200);
    expect(res.body).toEqual({ success: true, approval_request: { uuid, status: 'pending' } });
    expect(res.text).not.toContain(TEST_API_KEY);
  });

  test('denied is final: reported, 2FA still pending, Authy not asked again', async () => {
    const { agent, uuid } = await pushPending('pushdenied', 7003);
    authyScope().get(`/onetouch/json/approval_requests/${uuid}`).reply(200, replies.approvalStatus(uuid, 'denied'));
    expect((await agent.post('/api/accountsecurity/onetouchstatus').expect(200)).body.approval_request.status).toBe('denied');
    await agent.get('/api/protected').expect(403);
    // A further poll answers from the session (no nock: an upstream call would fail the test).
    expect((await agent.post('/api/accountsecurity/onetouchstatus').expect(200)).body.approval_request).toEqual({ uuid, status: 'denied' });
  });

  test('Authy failing on status is a 502, not a crash', async () => {
    const { agent, uuid } = await pushPending('pushbroken', 7004);
    authyScope().get(`/onetouch/json/approval_requests/${uuid}`).reply(500, 'oops');
    await agent.post('/api/accountsecurity/onetouchstatus').expect(502);
  });

  describe('the signed callback', () => {
    const url = PUBLIC_URL + CALLBACK_PATH;
    const callbackBody = (uuid: string, status: string) => ({
      approval_request: {
        transaction: { details: { Username: 'x y' }, hidden_details: { test: 'This is a' }, message: 'Login requested', status },
      },
      authy_id: 7100,
      callback_action: 'approval_request_status',
      device_uuid: 'device-1',
      signature: 'device-signature',
      status,
      uuid,
    });
    const send = (body: object, nonce: string, key = TEST_API_KEY, signUrl = url) =>
      request(t.app)
        .post(CALLBACK_PATH)
        .set('X-Authy-Signature-Nonce', nonce)
        .set('X-Authy-Signature', signCallback(key, { nonce, method: 'POST', url: signUrl, body }))
        .send(body);

    test('a good signature records the answer once; the poll then trusts it without asking Authy', async () => {
      const { agent, uuid } = await pushPending('cbapproved', 7101);
      await send(callbackBody(uuid, 'approved'), 'nonce-1').expect(200, { success: true });
      // No nock for the status: an upstream call would fail the test.
      const res = await agent.post('/api/accountsecurity/onetouchstatus').expect(200);
      expect(res.body.approval_request.status).toBe('approved');
      await agent.get('/api/protected').expect(200);
    });

    test('a replayed nonce is a 409', async () => {
      const { uuid } = await pushPending('cbreplay', 7102);
      await send(callbackBody(uuid, 'denied'), 'nonce-2').expect(200);
      await send(callbackBody(uuid, 'denied'), 'nonce-2').expect(409);
    });

    test('a second answer for the same request is refused (one transition from pending)', async () => {
      const { agent, uuid } = await pushPending('cbtwice', 7103);
      await send(callbackBody(uuid, 'denied'), 'nonce-3').expect(200);
      await send(callbackBody(uuid, 'approved'), 'nonce-4').expect(409);
      expect((await agent.post('/api/accountsecurity/onetouchstatus').expect(200)).body.approval_request.status).toBe('denied');
    });

    test('a bad signature, a wrong key, a missing header are 401', async () => {
      const { uuid } = await pushPending('cbbad', 7104);
      const body = callbackBody(uuid, 'approved');
      await send(body, 'nonce-5', 'not-the-key').expect(401);
      await post(t.app, CALLBACK_PATH).set('X-Authy-Signature-Nonce', 'n').send(body).expect(401);
      await post(t.app, CALLBACK_PATH).set('X-Authy-Signature', 'x').set('X-Authy-Signature-Nonce', 'n').send(body).expect(401);
      // Tampering with any field breaks the signature.
      const nonce = 'nonce-6';
      await request(t.app)
        .post(CALLBACK_PATH)
        .set('X-Authy-Signature-Nonce', nonce)
        .set('X-Authy-Signature', signCallback(TEST_API_KEY, { nonce, method: 'POST', url, body }))
        .send({ ...body, status: 'denied' })
        .expect(401);
    });

    test('X-Forwarded-Proto is not trusted to build the signed URL (the original trusted it)', async () => {
      const { uuid } = await pushPending('cbproto', 7105);
      const body = callbackBody(uuid, 'approved');
      const nonce = 'nonce-7';
      const forged = 'https://localhost:1337' + CALLBACK_PATH;
      await request(t.app)
        .post(CALLBACK_PATH)
        .set('Host', 'localhost:1337')
        .set('X-Forwarded-Proto', 'https')
        .set('X-Authy-Signature-Nonce', nonce)
        .set('X-Authy-Signature', signCallback(TEST_API_KEY, { nonce, method: 'POST', url: forged, body }))
        .send(body)
        .expect(401);
    });

    test('an unknown uuid is a 404; GET is a 405', async () => {
      await send(callbackBody('no-such-uuid', 'approved'), 'nonce-8').expect(404);
      await get(t.app, CALLBACK_PATH).expect(405);
    });

    test('form-encoded callbacks are verified the same way', async () => {
      const { uuid } = await pushPending('cbform', 7106);
      const body = callbackBody(uuid, 'denied');
      const nonce = 'nonce-9';
      const qs = await import('qs');
      await request(t.app)
        .post(CALLBACK_PATH)
        .type('form')
        .set('X-Authy-Signature-Nonce', nonce)
        .set('X-Authy-Signature', signCallback(TEST_API_KEY, { nonce, method: 'POST', url, body }))
        .send(qs.stringify(body))
        .expect(200);
    });
  });
});
