// The same guards with the app on Twilio Verify (nock): CSRF on every state-changing request,
// the attempt limits (Verify is not even asked once a limit is reached), the session's new id
// at 2FA and its timeouts. The provider changes what the app calls, never these.
import request from 'supertest';
import { VERIFY_WEBHOOK_PATH } from '../../server/providers/verify/verify-provider';
import { limitsFrom } from '../../server/platform/limits-config';
import { testConfig, useTestApp, verifyTestProvider } from '../support/app';
import { client, get, post, STATE_CHANGING_POSTS } from '../support/http';
import { heldSessionCookie, registeredVerifyAgent, sessionCookie } from '../support/users';
import { verifyPaths, verifyReplies, verifyScope, verifySids } from '../support/verify-nock';

let clock = Date.now();
const now = () => clock;
// The real default limits (tests elsewhere relax them: every test registers from one address).
const t = useTestApp({ now, provider: verifyTestProvider(now), config: testConfig({ limits: limitsFrom({}) }) });

const WINDOW_MS = 15 * 60 * 1000;
const E164 = '+14155552671';
const phone = { country_code: '1', phone_number: '415-555-0000' };

describe('CSRF', () => {
  test.each(STATE_CHANGING_POSTS)('POST %s without a token is a 403', async (url) => {
    expect((await request(t.app).post(url).send({}).expect(403)).body.error).toMatch(/CSRF/);
  });

  test('the signed Verify webhook needs no token: refused for its missing signature (401), not for CSRF', async () => {
    await request(t.app).post(VERIFY_WEBHOOK_PATH).type('form').send('uuid=x').expect(401);
  });

  test('the soft token QR code needs a login', async () => {
    await get(t.app, '/api/accountsecurity/softtoken').expect(401);
  });
});

describe('attempt limits', () => {
  test('5 wrong tokens per user, then 429 in any session, even for the right token, and Verify is not asked', async () => {
    const { agent, identity, factorSid } = await registeredVerifyAgent(t.app, 'vl-brute');
    verifyScope().post(verifyPaths.verifications).reply(201, verifyReplies.verification(E164, 'sms'));
    await agent.post('/api/accountsecurity/sms').expect(200);
    verifyScope().post(verifyPaths.check).times(5).reply(200, verifyReplies.check(E164, 'pending'));
    verifyScope()
      .get(verifyPaths.factor(identity, factorSid))
      .times(5)
      .reply(200, verifyReplies.factor(identity, factorSid, 'unverified'));
    verifyScope()
      .post(verifyPaths.factor(identity, factorSid))
      .times(5)
      .reply(200, verifyReplies.factor(identity, factorSid, 'unverified'));
    for (let i = 0; i < 5; i++) await agent.post('/api/accountsecurity/verify').send({ token: '000000' }).expect(401);
    const locked = await agent.post('/api/accountsecurity/verify').send({ token: '123456' }).expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    const second = client(t.app);
    await second.post('/api/login').send({ username: 'vl-brute', password: 'correct horse battery' }).expect(200);
    // No nock: a Verify call now would fail the test.
    await second.post('/api/accountsecurity/verify').send({ token: '123456' }).expect(429);

    clock += WINDOW_MS + 1000;
    verifyScope().post(verifyPaths.verifications).reply(201, verifyReplies.verification(E164, 'sms'));
    await second.post('/api/accountsecurity/sms').expect(200);
    verifyScope()
      .post(verifyPaths.check, { VerificationSid: verifySids.verification(1), Code: '123456' })
      .reply(200, verifyReplies.check(E164, 'approved'));
    await second.post('/api/accountsecurity/verify').send({ token: '123456' }).expect(200);
  });

  test('5 sends per user across SMS, voice and push; the 6th is a 429 and Verify is not asked', async () => {
    const { agent, identity } = await registeredVerifyAgent(t.app, 'vl-chatty');
    verifyScope().post(verifyPaths.verifications).times(4).reply(201, verifyReplies.verification(E164, 'sms'));
    verifyScope()
      .get(verifyPaths.factors(identity))
      .query(true)
      .reply(200, verifyReplies.factorsPage(identity, [verifyReplies.factor(identity, verifySids.factor(2), 'verified', 'push')]));
    verifyScope()
      .post(verifyPaths.challenges(identity))
      .reply(201, verifyReplies.challenge(identity, verifySids.challenge(3), 'pending'));
    for (let i = 0; i < 3; i++) await agent.post('/api/accountsecurity/sms').expect(200);
    await agent.post('/api/accountsecurity/voice').expect(200);
    await agent.post('/api/accountsecurity/onetouch').expect(200);
    await agent.post('/api/accountsecurity/sms').expect(429);
    await agent.post('/api/accountsecurity/onetouch').expect(429);
  });

  test('phone verification: 5 starts and 5 wrong codes per number, then 429', async () => {
    verifyScope().post(verifyPaths.verifications).times(5).reply(201, verifyReplies.verification('+14155550000', 'sms'));
    for (let i = 0; i < 5; i++)
      await post(t.app, '/api/verification/start')
        .send({ ...phone, via: 'sms' })
        .expect(200);
    await post(t.app, '/api/verification/start')
      .send({ ...phone, via: 'call' })
      .expect(429);

    // Each check from a session that started one (a code is checked against its own start).
    const started = client(t.app);
    verifyScope().post(verifyPaths.verifications).reply(201, verifyReplies.verification('+14155550000', 'sms'));
    clock += WINDOW_MS + 1000;
    await started
      .post('/api/verification/start')
      .send({ ...phone, via: 'sms' })
      .expect(200);
    verifyScope().post(verifyPaths.check).times(5).reply(200, verifyReplies.check('+14155550000', 'pending'));
    for (let i = 0; i < 5; i++)
      await started
        .post('/api/verification/verify')
        .send({ ...phone, token: '000000' })
        .expect(401);
    await started
      .post('/api/verification/verify')
      .send({ ...phone, token: '123456' })
      .expect(429);
  });
});

describe('the session', () => {
  test('passing 2FA (the soft token enrolled by its first code) gives a new session id; the old one is dead', async () => {
    const { agent, identity, factorSid } = await registeredVerifyAgent(t.app, 'vl-session');
    const before = heldSessionCookie(agent);
    expect(before).toBeDefined();
    verifyScope()
      .get(verifyPaths.factor(identity, factorSid))
      .reply(200, verifyReplies.factor(identity, factorSid, 'unverified'));
    verifyScope()
      .post(verifyPaths.factor(identity, factorSid), { AuthPayload: '654321' })
      .reply(200, verifyReplies.factor(identity, factorSid, 'verified'));
    const res = await agent.post('/api/accountsecurity/verify').send({ token: '654321' }).expect(200);
    expect(sessionCookie(res)).toBeDefined();
    expect(sessionCookie(res)).not.toBe(before);
    await agent.get('/api/protected').expect(200);
    await get(t.app, '/api/protected').set('Cookie', before!).expect(401);
  });

  test('a login ends after 8 hours however active; the push poll then needs a new login', async () => {
    const { agent } = await registeredVerifyAgent(t.app, 'vl-long');
    clock += 8 * 60 * 60 * 1000 + 1000;
    expect((await agent.post('/api/loggedIn').expect(200)).body).toEqual({ url: '/login' });
    await agent.post('/api/accountsecurity/onetouchstatus').expect(401);
  });
});
