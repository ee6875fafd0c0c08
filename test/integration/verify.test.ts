// The app on Twilio Verify v2 (nock at Twilio's host, reached through the `twilio` library): what
// goes on the wire, how Verify's refusals and silences are answered, users Verify cannot serve,
// the soft token's enrolment, push without a device, and the signed Verify webhook.
import request from 'supertest';
import twilio from 'twilio';
import { legacySha256 } from '../../server/auth/password';
import { userModel } from '../../server/auth/user.model';
import { createVerifyProvider, VERIFY_WEBHOOK_PATH } from '../../server/providers/verify/verify-provider';
import {
  createTestApp,
  PUBLIC_URL,
  TEST_TWILIO_ACCOUNT_SID,
  TEST_TWILIO_AUTH_TOKEN,
  TEST_VERIFY_SERVICE_SID,
  useTestApp,
  verifyTestProvider,
} from '../support/app';
import { client, get, post } from '../support/http';
import { registeredVerifyAgent, validPerson } from '../support/users';
import { verifyPaths, verifyReplies, verifyScope, verifySids } from '../support/verify-nock';

const t = useTestApp({ provider: verifyTestProvider() });
const users = () => userModel(t.db.connection);
const E164 = '+14155552671';
const phone = { country_code: '1', phone_number: '415-555-2671' };
const notFound = verifyReplies.error(404, 20404, 'The requested resource /Services/VA/VerificationCheck was not found');

test('GET /api/config names Verify, so every page of the SPA does', async () => {
  expect((await get(t.app, '/api/config').expect(200)).body.provider).toBe('verify');
});

describe('registration', () => {
  test('creates a TOTP factor on a new random entity and stores it with the user, otpauth URI included', async () => {
    const { identity, factorSid } = await registeredVerifyAgent(t.app, 'v-reg');
    expect(identity).toMatch(/^[0-9a-f]{32}$/);
    const user = await users().findOne({ username: 'v-reg' }).lean();
    expect(user).toMatchObject({
      phone: E164,
      verify: { identity, totpFactorSid: factorSid, totpUri: expect.stringMatching(/^otpauth:\/\//) },
    });
    expect(user?.authyId).toBeUndefined();
  });

  test.each([
    [
      'Verify refusing',
      () =>
        verifyScope()
          .post(verifyPaths.newFactor)
          .reply(401, verifyReplies.error(401, 20003, 'Authenticate')),
      502,
    ],
    ['Verify too slow', () => verifyScope().post(verifyPaths.newFactor).delay(2500).reply(201, {}), 504],
    [
      'an answer without a binding',
      () =>
        verifyScope()
          .post(verifyPaths.newFactor)
          .reply(201, { sid: verifySids.factor(1), status: 'unverified' }),
      502,
    ],
  ])('%s leaves no user behind', async (_what, fail, status) => {
    fail();
    const username = `v-fail-${status}-${Math.random().toString(36).slice(2, 6)}`;
    const res = await post(t.app, '/api/user/register').send(validPerson(username).body).expect(status);
    expect(res.body.error).toMatch(/Twilio Verify/);
    expect(await users().countDocuments({ username })).toBe(0);
  });

  test('unreachable is a 502; the error logged never carries the Basic credentials', async () => {
    const down = await createTestApp({
      provider: createVerifyProvider({
        accountSid: TEST_TWILIO_ACCOUNT_SID,
        authToken: TEST_TWILIO_AUTH_TOKEN,
        serviceSid: TEST_VERIFY_SERVICE_SID,
        factorName: 'localhost',
        baseUrl: 'http://127.0.0.1:1',
      }),
    });
    try {
      const res = await post(down.app, '/api/user/register').send(validPerson('v-down').body).expect(502);
      expect(res.body.error).toMatch(/cannot be reached/);
      expect(await userModel(down.db.connection).countDocuments()).toBe(0);
      // (no-secrets.ts checks this file's log lines for the token and the Basic header.)
      expect(down.logs.text).toContain('cannot be reached');
    } finally {
      await down.close();
    }
  });
});

describe('codes by SMS and call', () => {
  test('SMS and voice are Verifications to the stored number; the answer masks it', async () => {
    const { agent } = await registeredVerifyAgent(t.app, 'v-sms');
    verifyScope().post(verifyPaths.verifications, { To: E164, Channel: 'sms' }).reply(201, verifyReplies.verification(E164, 'sms'));
    expect((await agent.post('/api/accountsecurity/sms').expect(200)).body).toEqual({
      success: true,
      message: 'Code sent by SMS.',
      cellphone: '+1-XXX-XXX-2671',
    });
    verifyScope().post(verifyPaths.verifications, { To: E164, Channel: 'call' }).reply(201, verifyReplies.verification(E164, 'call'));
    expect((await agent.post('/api/accountsecurity/voice').expect(200)).body.cellphone).toBe('+1-XXX-XXX-2671');
  });

  test("Verify's 60203 (too many sends) is a 429; 20003 (our credentials) a 502; a timeout a 504", async () => {
    const { agent } = await registeredVerifyAgent(t.app, 'v-sendfail');
    verifyScope()
      .post(verifyPaths.verifications)
      .reply(429, verifyReplies.error(429, 60203, 'Max send attempts reached'));
    expect((await agent.post('/api/accountsecurity/sms').expect(429)).body.error).toBe('Max send attempts reached');
    verifyScope()
      .post(verifyPaths.verifications)
      .reply(401, verifyReplies.error(401, 20003, 'Authenticate'));
    expect((await agent.post('/api/accountsecurity/sms').expect(502)).body.error).toBe('Twilio Verify refused the request: Authenticate');
    verifyScope().post(verifyPaths.verifications).delay(2500).reply(201, verifyReplies.verification(E164, 'call'));
    await agent.post('/api/accountsecurity/voice').expect(504);
  });

  test('a wrong code, with an SMS sent and no soft token enrolled yet: the Verification, then the factor (read, then tried), 401', async () => {
    const { agent, identity, factorSid } = await registeredVerifyAgent(t.app, 'v-wrong');
    verifyScope().post(verifyPaths.verifications).reply(201, verifyReplies.verification(E164, 'sms'));
    await agent.post('/api/accountsecurity/sms').expect(200);
    verifyScope()
      .post(verifyPaths.check, { VerificationSid: verifySids.verification(1), Code: '000000' })
      .reply(200, verifyReplies.check(E164, 'pending'));
    verifyScope()
      .get(verifyPaths.factor(identity, factorSid))
      .reply(200, verifyReplies.factor(identity, factorSid, 'unverified'));
    verifyScope()
      .post(verifyPaths.factor(identity, factorSid), { AuthPayload: '000000' })
      .reply(200, verifyReplies.factor(identity, factorSid, 'unverified'));
    expect((await agent.post('/api/accountsecurity/verify').send({ token: '000000' }).expect(401)).body).toEqual({
      error: 'That token is not valid.',
      field: 'token',
    });
    // Still waiting for its first code: the QR code is still shown (to the login that registered).
    expect((await agent.get('/api/accountsecurity/softtoken').expect(200)).body.enrol).not.toBeNull();
  });

  test('a 9- or 10-digit token cannot be a TOTP code: only the code check is asked', async () => {
    const { agent } = await registeredVerifyAgent(t.app, 'v-long');
    verifyScope().post(verifyPaths.verifications).reply(201, verifyReplies.verification(E164, 'sms'));
    await agent.post('/api/accountsecurity/sms').expect(200);
    verifyScope()
      .post(verifyPaths.check, { VerificationSid: verifySids.verification(1), Code: '123456789' })
      .reply(200, verifyReplies.check(E164, 'pending'));
    await agent.post('/api/accountsecurity/verify').send({ token: '123456789' }).expect(401);
  });

  test("a code is checked against this session's own send, by VerificationSid: never by number, nor where no code was sent", async () => {
    const { agent, identity, factorSid } = await registeredVerifyAgent(t.app, 'v-own');
    // No send in this session: only the soft token is tried (its factor read, then tried).
    verifyScope()
      .get(verifyPaths.factor(identity, factorSid))
      .reply(200, verifyReplies.factor(identity, factorSid, 'unverified'));
    verifyScope()
      .post(verifyPaths.factor(identity, factorSid))
      .reply(200, verifyReplies.factor(identity, factorSid, 'unverified'));
    await agent.post('/api/accountsecurity/verify').send({ token: '135790' }).expect(401);

    verifyScope().post(verifyPaths.verifications).reply(201, verifyReplies.verification(E164, 'sms'));
    await agent.post('/api/accountsecurity/sms').expect(200);
    verifyScope()
      .post(verifyPaths.check, (b: Record<string, unknown>) => b.VerificationSid === verifySids.verification(1) && b.To === undefined)
      .reply(200, verifyReplies.check(E164, 'approved'));
    await agent.post('/api/accountsecurity/verify').send({ token: '135790' }).expect(200);
  });

  test('the Verification gone (20404) or out of checks (60202): 410 "request a new one", not counted, the soft token not tried', async () => {
    const { agent, identity, factorSid } = await registeredVerifyAgent(t.app, 'v-gone');
    // Five times (the limit of wrong codes): none of them counts.
    for (const [status, code, message] of [
      [404, 20404, 'The requested resource was not found'],
      [429, 60202, 'Max check attempts reached'],
      [404, 20404, 'The requested resource was not found'],
      [429, 60202, 'Max check attempts reached'],
      [429, 60202, 'Max check attempts reached'],
    ] as const) {
      verifyScope().post(verifyPaths.verifications).reply(201, verifyReplies.verification(E164, 'sms'));
      await agent.post('/api/accountsecurity/sms').expect(200);
      verifyScope()
        .post(verifyPaths.check)
        .reply(status, verifyReplies.error(status, code, message));
      // No nock for the factor: trying the soft token would fail the test.
      expect((await agent.post('/api/accountsecurity/verify').send({ token: '246802' }).expect(410)).body).toEqual({
        error: 'That code has expired. Request a new one.',
        field: 'token',
      });
    }
    // The session forgot that send: the next code is the soft token's, and the user is not locked out.
    verifyScope()
      .get(verifyPaths.factor(identity, factorSid))
      .reply(200, verifyReplies.factor(identity, factorSid, 'unverified'));
    verifyScope()
      .post(verifyPaths.factor(identity, factorSid), { AuthPayload: '246802' })
      .reply(200, verifyReplies.factor(identity, factorSid, 'verified'));
    await agent.post('/api/accountsecurity/verify').send({ token: '246802' }).expect(200);
  });

  test('a factor Verify verified already (our record missed it) is no answer about a code: a Challenge decides', async () => {
    const { agent, identity, factorSid } = await registeredVerifyAgent(t.app, 'v-verified');
    // As after a database outage between Verify's answer and our update: the record still holds the seed.
    verifyScope()
      .get(verifyPaths.factor(identity, factorSid))
      .reply(200, verifyReplies.factor(identity, factorSid, 'verified'));
    verifyScope()
      .post(verifyPaths.challenges(identity), { FactorSid: factorSid, AuthPayload: '000000' })
      .reply(201, verifyReplies.challenge(identity, verifySids.challenge(5), 'pending', 'totp'));
    await agent.post('/api/accountsecurity/verify').send({ token: '000000' }).expect(401);
    // The seed is dropped all the same: the factor is enrolled.
    expect((await users().findOne({ username: 'v-verified' }).lean())?.verify?.totpUri).toBeUndefined();
    expect((await agent.get('/api/accountsecurity/softtoken').expect(200)).body).toEqual({ enrol: null });
  });
});

describe('users Verify cannot serve', () => {
  /** A user of the original quickstart: an Authy id, no phone, no Verify entity. */
  async function legacyAgent(username: string) {
    await users().collection.insertOne({
      username,
      email: `${username}@example.com`,
      hashed_password: legacySha256('password'),
      authyId: '1234',
      createdAt: new Date(),
    });
    const agent = client(t.app);
    await agent.post('/api/login').send({ username, password: 'password' }).expect(200);
    return agent;
  }

  test('without a phone: SMS and voice are a 409 that says why; push too; no Verify call is made', async () => {
    const agent = await legacyAgent('v-legacy');
    expect((await agent.post('/api/accountsecurity/sms').expect(409)).body.error).toMatch(/no phone number/);
    await agent.post('/api/accountsecurity/voice').expect(409);
    expect((await agent.post('/api/accountsecurity/onetouch').expect(409)).body.error).toMatch(/Verify Push SDK/);
    // No code and no soft token can be right for this user.
    await agent.post('/api/accountsecurity/verify').send({ token: '123456' }).expect(401);
    expect((await agent.get('/api/accountsecurity/softtoken').expect(200)).body).toEqual({ enrol: null });
  });

  test('a 409 is not counted against the send budget', async () => {
    const agent = await legacyAgent('v-legacy2');
    for (let i = 0; i < 7; i++) await agent.post('/api/accountsecurity/sms').expect(409);
  });
});

describe('push', () => {
  test('without a push factor (only the Verify Push SDK can enrol one) it is a 409 naming the SDK', async () => {
    const { agent, identity, factorSid } = await registeredVerifyAgent(t.app, 'v-nopush');
    verifyScope()
      .get(verifyPaths.factors(identity))
      .query(true)
      .reply(200, verifyReplies.factorsPage(identity, [verifyReplies.factor(identity, factorSid, 'unverified')]));
    const res = await agent.post('/api/accountsecurity/onetouch').expect(409);
    expect(res.body.error).toMatch(/Verify Push SDK in a mobile app/);
  });

  describe('the signed Verify webhook', () => {
    const url = PUBLIC_URL + VERIFY_WEBHOOK_PATH;
    const challengeSid = verifySids.challenge(42);

    async function pushPending(username: string, sid = challengeSid) {
      const { agent, identity } = await registeredVerifyAgent(t.app, username);
      verifyScope()
        .get(verifyPaths.factors(identity))
        .query(true)
        .reply(200, verifyReplies.factorsPage(identity, [verifyReplies.factor(identity, verifySids.factor(2), 'verified', 'push')]));
      verifyScope()
        .post(verifyPaths.challenges(identity))
        .reply(201, verifyReplies.challenge(identity, sid, 'pending'));
      await agent.post('/api/accountsecurity/onetouch').expect(200, { success: true, approval_request: { uuid: sid } });
      return { agent, identity };
    }

    const event = (sid: string, type: string, uuid: string) => ({
      uuid,
      type,
      account_sid: TEST_TWILIO_ACCOUNT_SID,
      service_sid: TEST_VERIFY_SERVICE_SID,
      entity_identity: 'x',
      factor_sid: verifySids.factor(2),
      factor_type: 'push',
      challenge_sid: sid,
      challenge_details: JSON.stringify({ message: 'Login requested', fields: [] }),
    });
    const send = (params: Record<string, string>, signUrl = url, token = TEST_TWILIO_AUTH_TOKEN) =>
      request(t.app)
        .post(VERIFY_WEBHOOK_PATH)
        .type('form')
        .set('X-Twilio-Signature', twilio.getExpectedTwilioSignature(token, signUrl, params))
        .send(new URLSearchParams(params).toString());

    test('challenge.approved, signed: recorded once; the next poll passes 2FA without asking Verify', async () => {
      const sid = verifySids.challenge(43);
      const { agent } = await pushPending('v-hook', sid);
      await send(event(sid, 'challenge.approved', 'e-1')).expect(200, { success: true });
      // No nock for the challenge: a Verify call would fail the test.
      expect((await agent.post('/api/accountsecurity/onetouchstatus').expect(200)).body.approval_request).toEqual({
        uuid: sid,
        status: 'approved',
      });
      await agent.get('/api/protected').expect(200);
    });

    test('an event is accepted once (409); a second answer for the challenge is refused (409)', async () => {
      const sid = verifySids.challenge(44);
      const { agent } = await pushPending('v-hook2', sid);
      await send(event(sid, 'challenge.denied', 'e-2')).expect(200);
      await send(event(sid, 'challenge.denied', 'e-2')).expect(409);
      // An event the app ignores is still taken once.
      const factorEvent = { ...event('', 'factor.verified', 'e-2b'), challenge_sid: '' };
      await send(factorEvent).expect(200);
      expect((await send(factorEvent).expect(409)).body.error).toBe('This callback was already received.');
      await send(event(sid, 'challenge.approved', 'e-3')).expect(409);
      expect((await agent.post('/api/accountsecurity/onetouchstatus').expect(200)).body.approval_request.status).toBe('denied');
      await agent.get('/api/protected').expect(403);
    });

    test('a wrong token, a tampered body, a missing header, a forged https URL: 401', async () => {
      const sid = verifySids.challenge(45);
      await pushPending('v-hook3', sid);
      const params = event(sid, 'challenge.approved', 'e-4');
      await send(params, url, 'not-the-auth-token-0123456789abcdef').expect(401);
      await request(t.app)
        .post(VERIFY_WEBHOOK_PATH)
        .type('form')
        .set('X-Twilio-Signature', twilio.getExpectedTwilioSignature(TEST_TWILIO_AUTH_TOKEN, url, params))
        .send(new URLSearchParams({ ...params, type: 'challenge.denied' }).toString())
        .expect(401);
      await post(t.app, VERIFY_WEBHOOK_PATH).type('form').send(new URLSearchParams(params).toString()).expect(401);
      // Forwarded headers never build the URL the signature is checked against.
      await send(params, 'https://localhost:1337' + VERIFY_WEBHOOK_PATH)
        .set('Host', 'localhost:1337')
        .set('X-Forwarded-Proto', 'https')
        .expect(401);
    });

    test('other events are acknowledged and ignored; an unknown challenge is a 404; no uuid a 400; GET a 405', async () => {
      await send({ ...event('', 'factor.verified', 'e-5'), challenge_sid: '' }).expect(200, { success: true });
      await send(event(verifySids.challenge(99), 'challenge.approved', 'e-6')).expect(404);
      await send({ type: 'challenge.approved', challenge_sid: challengeSid }).expect(400);
      await get(t.app, VERIFY_WEBHOOK_PATH).expect(405);
    });
  });
});

describe('phone verification', () => {
  test('start is a Verification to the E.164 number; the right code verifies the phone', async () => {
    const agent = client(t.app);
    verifyScope().post(verifyPaths.verifications, { To: E164, Channel: 'call' }).reply(201, verifyReplies.verification(E164, 'call'));
    const started = await agent
      .post('/api/verification/start')
      .send({ ...phone, via: 'call' })
      .expect(200);
    // The same words and masking as on Authy and in 2FA: never the whole number.
    expect(started.body).toEqual({ success: true, message: 'Calling …2671 with a code, valid 10 minutes.' });
    const sent = { VerificationSid: verifySids.verification(1) };
    verifyScope()
      .post(verifyPaths.check, { ...sent, Code: '1234' })
      .reply(200, verifyReplies.check(E164, 'pending'));
    await agent
      .post('/api/verification/verify')
      .send({ ...phone, token: '1234' })
      .expect(401);
    verifyScope()
      .post(verifyPaths.check, { ...sent, Code: '123456' })
      .reply(200, verifyReplies.check(E164, 'approved'));
    await agent
      .post('/api/verification/verify')
      .send({ ...phone, token: '123456' })
      .expect(200, { success: true });
    await agent.get('/verified').expect(200);
  });

  test('no start in this session: a 404 without asking Verify (a code is never checked by number alone)', async () => {
    const none = await post(t.app, '/api/verification/verify')
      .send({ ...phone, token: '123456' })
      .expect(404);
    expect(none.body).toEqual({ error: expect.stringMatching(/send a new one/), field: 'token' });
  });

  test('no code pending (20404) is a 404 saying to send a new one; 60202 a 429; a number Verify refuses a 400', async () => {
    const agent = client(t.app);
    verifyScope().post(verifyPaths.verifications).reply(201, verifyReplies.verification(E164, 'sms'));
    await agent
      .post('/api/verification/start')
      .send({ ...phone, via: 'sms' })
      .expect(200);
    verifyScope().post(verifyPaths.check).reply(404, notFound);
    const none = await agent
      .post('/api/verification/verify')
      .send({ ...phone, token: '123456' })
      .expect(404);
    expect(none.body).toEqual({ error: expect.stringMatching(/send a new one/), field: 'token' });
    verifyScope()
      .post(verifyPaths.check)
      .reply(429, verifyReplies.error(429, 60202, 'Max check attempts reached'));
    await agent
      .post('/api/verification/verify')
      .send({ ...phone, token: '123456' })
      .expect(429);
    verifyScope()
      .post(verifyPaths.verifications)
      .reply(400, verifyReplies.error(400, 60200, 'Invalid parameter `To`: +14155552671'));
    const refused = await post(t.app, '/api/verification/start')
      .send({ ...phone, via: 'sms' })
      .expect(400);
    expect(refused.body.field).toBe('phone_number');
  });
});
