// Attempt limits live in MongoDB: shared by sessions and by app processes, with a window that
// a controllable clock can pass.
import nock from 'nock';
import { limitsFrom } from '../../server/platform/limits-config';
import { createTestApp, testConfig, useTestApp } from '../support/app';
import { authyScope, replies } from '../support/authy-nock';
import { client, post, postAtOnce } from '../support/http';
import { registeredAgent } from '../support/users';

let clock = Date.now();
const now = () => clock;
const config = testConfig({ limits: limitsFrom({}) });
const t = useTestApp({ now, config });

const WINDOW_MS = 15 * 60 * 1000;

async function login(username: string) {
  const agent = client(t.app);
  await agent.post('/api/login').send({ username, password: 'correct horse battery' }).expect(200);
  return agent;
}

function wrongToken(authyId: number, times = 1) {
  authyScope().get(`/protected/json/verify/0000000/${authyId}`).times(times).reply(401, replies.tokenInvalid);
}

describe('token verification: 5 failures per user per 15 min', () => {
  test('the 6th try is a 429 with Retry-After in this session, in another session, and even with the right token', async () => {
    const { agent } = await registeredAgent(t.app, 'brute', 8101);
    wrongToken(8101, 5);
    const answers: string[] = [];
    for (let i = 0; i < 5; i++)
      answers.push((await agent.post('/api/accountsecurity/verify').send({ token: '0000000' }).expect(401)).body.error);
    // The try before the last says so; the last says the lock, once, in minutes.
    expect(answers).toEqual([
      ...Array(3).fill('That token is not valid.'),
      'That token is not valid. One try left before a 15-minute lock.',
      'That token is not valid. Too many wrong codes. Try again in 15 minutes.',
    ]);

    clock += 60_000;
    const locked = await agent.post('/api/accountsecurity/verify').send({ token: '0000000' }).expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(WINDOW_MS / 1000 - 60);
    expect(locked.body.error).toBe('Too many wrong codes. Try again in 14 minutes.');

    const second = await login('brute');
    // No nock for these: Authy must not even be asked while the user is locked.
    await second.post('/api/accountsecurity/verify').send({ token: '1234567' }).expect(429);
    await agent.post('/api/accountsecurity/verify').send({ token: '1234567' }).expect(429);

    clock += WINDOW_MS + 1000;
    authyScope().get('/protected/json/verify/1234567/8101').reply(200, replies.tokenValid);
    await second.post('/api/accountsecurity/verify').send({ token: '1234567' }).expect(200);
  });

  test('while token checks are locked, SMS and voice answer 429 with the lock and send nothing', async () => {
    const { agent } = await registeredAgent(t.app, 'nosend', 8104);
    wrongToken(8104, 5);
    for (let i = 0; i < 5; i++) await agent.post('/api/accountsecurity/verify').send({ token: '0000000' }).expect(401);
    // No nock for the SMS or the call: Authy must not be asked for a code that could not be checked.
    for (const channel of ['sms', 'voice']) {
      const refused = await agent.post(`/api/accountsecurity/${channel}`).expect(429);
      expect(refused.body).toEqual({ error: 'Too many wrong codes. Try again in 15 minutes.' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(14 * 60);
    }
    clock += WINDOW_MS + 1000;
    authyScope().get('/protected/json/sms/8104').query(true).reply(200, replies.smsSent);
    await agent.post('/api/accountsecurity/sms').expect(200);
  });

  test('10 wrong tokens at once: no more than 5 reach Authy, the rest are 429', async () => {
    const { agent } = await registeredAgent(t.app, 'parallel', 8103);
    let asked = 0;
    const scope = authyScope()
      .persist()
      .get('/protected/json/verify/0000000/8103')
      .reply(() => {
        asked++;
        return [401, replies.tokenInvalid];
      });
    try {
      const statuses = await postAtOnce(agent, '/api/accountsecurity/verify', { token: '0000000' }, 10);
      expect(asked).toBeLessThanOrEqual(5);
      expect(statuses.filter((s) => s === 401).length).toBe(asked);
      expect(statuses.filter((s) => s === 429).length).toBe(10 - asked);
    } finally {
      scope.persist(false);
      nock.cleanAll();
    }
  });

  test('two app instances on one database share the count', async () => {
    const other = await createTestApp({ now, config }, { db: t.db });
    try {
      const { agent: onA } = await registeredAgent(t.app, 'twoapps', 8102);
      const onB = client(other.app);
      await onB.post('/api/login').send({ username: 'twoapps', password: 'correct horse battery' }).expect(200);
      wrongToken(8102, 5);
      for (let i = 0; i < 3; i++) await onA.post('/api/accountsecurity/verify').send({ token: '0000000' }).expect(401);
      for (let i = 0; i < 2; i++) await onB.post('/api/accountsecurity/verify').send({ token: '0000000' }).expect(401);
      await onA.post('/api/accountsecurity/verify').send({ token: '0000000' }).expect(429);
      await onB.post('/api/accountsecurity/verify').send({ token: '0000000' }).expect(429);
    } finally {
      await other.close();
    }
  });
});

describe('login', () => {
  test('5 failures per username and IP, then 429 even for the right password; other usernames unaffected', async () => {
    await registeredAgent(t.app, 'guessme', 8201);
    await registeredAgent(t.app, 'bystander', 8202);
    for (let i = 0; i < 5; i++)
      await post(t.app, '/api/login')
        .send({ username: 'guessme', password: `wrong-${i}-password` })
        .expect(401);
    const locked = await post(t.app, '/api/login').send({ username: 'guessme', password: 'correct horse battery' }).expect(429);
    expect(locked.headers['retry-after']).toBeDefined();
    await post(t.app, '/api/login').send({ username: 'bystander', password: 'correct horse battery' }).expect(200);
    clock += WINDOW_MS + 1000;
    await post(t.app, '/api/login').send({ username: 'guessme', password: 'correct horse battery' }).expect(200);
  });

  test('100 failures per IP per day, across usernames', async () => {
    clock += 24 * 60 * 60 * 1000 + 1000; // a new day: the failures above no longer count
    // Ten at a time, as a spraying client would: each of the 100 is still a counted failure.
    for (let batch = 0; batch < 100; batch += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          post(t.app, '/api/login')
            .send({ username: `spray${(batch + j) % 25}`, password: 'not the password' })
            .expect(401),
        ),
      );
    }
    await post(t.app, '/api/login').send({ username: 'someone-new', password: 'not the password' }).expect(429);
    clock += 24 * 60 * 60 * 1000 + 1000;
    await post(t.app, '/api/login').send({ username: 'someone-new', password: 'not the password' }).expect(401);
  });
});

describe('sends cost money: 5 per user per 15 min across SMS, voice and push', () => {
  test('the 6th send is a 429 and Authy is not asked', async () => {
    const { agent } = await registeredAgent(t.app, 'chatty', 8301);
    authyScope().get('/protected/json/sms/8301').query(true).times(3).reply(200, replies.smsSent);
    authyScope().get('/protected/json/call/8301').query(true).times(1).reply(200, replies.callStarted);
    authyScope().post('/onetouch/json/users/8301/approval_requests').reply(200, replies.approvalCreated('u-8301'));
    for (let i = 0; i < 3; i++) await agent.post('/api/accountsecurity/sms').expect(200);
    await agent.post('/api/accountsecurity/voice').expect(200);
    await agent.post('/api/accountsecurity/onetouch').expect(200);
    const refused = await agent.post('/api/accountsecurity/sms').expect(429);
    expect(refused.body.error).toBe('Too many codes and push requests for this account. Try again in 15 minutes.');
    await agent.post('/api/accountsecurity/onetouch').expect(429);
  });
});

describe('phone verification: 5 sends and 5 wrong codes per number per 15 min', () => {
  const phone = { phone_number: '415-555-0000', country_code: '1' };

  test('the 6th start is a 429', async () => {
    authyScope().post('/protected/json/phones/verification/start').times(5).reply(200, replies.verificationStarted);
    for (let i = 0; i < 5; i++)
      await post(t.app, '/api/verification/start')
        .send({ ...phone, via: 'sms' })
        .expect(200);
    const refused = await post(t.app, '/api/verification/start')
      .send({ ...phone, via: 'call' })
      .expect(429);
    expect(refused.body.error).toBe('Too many codes sent to this number. Try again in 15 minutes.');
  });

  test('after 5 wrong codes even the right one is a 429, and no new code is sent to the number', async () => {
    const locked = { phone_number: '415-555-0001', country_code: '1' };
    authyScope().get('/protected/json/phones/verification/check').query(true).times(5).reply(401, replies.verificationWrong);
    const answers: string[] = [];
    for (let i = 0; i < 5; i++)
      answers.push(
        (
          await post(t.app, '/api/verification/verify')
            .send({ ...locked, token: '0000' })
            .expect(401)
        ).body.error,
      );
    expect(answers[3]).toBe('That code is not valid. One try left before a 15-minute lock.');
    const refused = await post(t.app, '/api/verification/verify')
      .send({ ...locked, token: '1234' })
      .expect(429);
    expect(refused.body.error).toBe('Too many wrong codes for this number. Try again in 15 minutes.');
    // No nock for the start: the code could not be checked, so none is sent.
    const start = await post(t.app, '/api/verification/start')
      .send({ ...locked, via: 'sms' })
      .expect(429);
    expect(start.body.error).toBe('Too many wrong codes for this number. Try again in 15 minutes.');
  });
});
