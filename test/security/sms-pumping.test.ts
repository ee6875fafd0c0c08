// SMS pumping (toll fraud): someone makes the app send SMS and calls it pays for, to numbers
// they profit from. Budgets per number (across accounts and purposes), per client address, in
// distinct numbers per address, and for the whole app. Clients are told apart by the address a
// trusted proxy (loopback) reports in X-Forwarded-For; time passes through the injected clock.
import { userModel } from '../../server/auth/user.model';
import { hashPassword } from '../../server/auth/password';
import { limitsFrom } from '../../server/platform/limits-config';
import { createTestApp, RELAXED_LIMITS, TEST_SCRYPT, testConfig, useTestApp } from '../support/app';
import { authyScope, replies } from '../support/authy-nock';
import { client, post } from '../support/http';
import { registeredAgent } from '../support/users';

let clock = Date.now();
const now = () => clock;
const HOUR = 60 * 60 * 1000;
const t = useTestApp({ now, config: testConfig({ limits: limitsFrom({}), trustProxy: 'loopback' }) });

// Each test starts after the hour-long windows of the one before.
beforeEach(() => {
  clock += 2 * HOUR;
});

const start = (from: string, phone_number: string) =>
  post(t.app, '/api/verification/start').set('X-Forwarded-For', from).send({ country_code: '1', phone_number, via: 'sms' });

/** A valid +1 415 number per index: 415-555-0110, 415-555-0111, … */
const number = (i: number) => `415-555-01${10 + i}`;

test('three accounts on one number get 5 SMS and calls in all per 15 min, not 5 each; phone verification shares the budget', async () => {
  // registeredAgent gives every person the same phone, +1 415-555-2671.
  const a = (await registeredAgent(t.app, 'pump-a', 7101)).agent;
  const b = (await registeredAgent(t.app, 'pump-b', 7102)).agent;
  const c = (await registeredAgent(t.app, 'pump-c', 7103)).agent;
  authyScope().get('/protected/json/sms/7101').query(true).times(2).reply(200, replies.smsSent);
  authyScope().get('/protected/json/call/7102').query(true).times(2).reply(200, replies.callStarted);
  authyScope().get('/protected/json/sms/7103').query(true).reply(200, replies.smsSent);
  await a.post('/api/accountsecurity/sms').expect(200);
  await a.post('/api/accountsecurity/sms').expect(200);
  await b.post('/api/accountsecurity/voice').expect(200);
  await b.post('/api/accountsecurity/voice').expect(200);
  await c.post('/api/accountsecurity/sms').expect(200);

  // No nock from here: Authy must not be asked.
  const refused = await c.post('/api/accountsecurity/sms').expect(429);
  expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  await a.post('/api/accountsecurity/voice').expect(429);
  // The same number written three ways, for phone verification: the same budget.
  for (const written of ['415-555-2671', '14155552671', '(415) 555.2671']) {
    await start('203.0.113.9', written).expect(429);
  }
  // A trunk prefix that is not one is no way around it: not a valid number at all.
  expect((await start('203.0.113.9', '04155552671').expect(400)).body.field).toBe('phone_number');

  clock += 15 * 60 * 1000 + 1000;
  authyScope().get('/protected/json/sms/7103').query(true).reply(200, replies.smsSent);
  await c.post('/api/accountsecurity/sms').expect(200);
});

test('one client naming 12 numbers for phone verification: the 11th number is a 429, a number already named still works', async () => {
  authyScope().post('/protected/json/phones/verification/start').times(11).reply(200, replies.verificationStarted);
  for (let i = 0; i < 10; i++) await start('198.51.100.20', number(i)).expect(200);
  const refused = await start('198.51.100.20', number(10)).expect(429);
  expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  await start('198.51.100.20', number(11)).expect(429);
  await start('198.51.100.20', number(3)).expect(200);
  // Another client is not held back by this one.
  authyScope().post('/protected/json/phones/verification/start').reply(200, replies.verificationStarted);
  await start('198.51.100.21', number(10)).expect(200);
});

test('20 sends per client address per hour, whatever the numbers; an IPv6 client is one /64', async () => {
  authyScope().post('/protected/json/phones/verification/start').times(20).reply(200, replies.verificationStarted);
  // Ten numbers, twice each, from addresses all over one /64.
  for (let i = 0; i < 20; i++) await start(`2001:db8:7:7::${(i + 1).toString(16)}`, number(i % 10)).expect(200);
  await start('2001:db8:7:7:ffff::1', number(0)).expect(429);
  authyScope().post('/protected/json/phones/verification/start').reply(200, replies.verificationStarted);
  await start('2001:db8:7:8::1', number(0)).expect(200);
});

test('a user written by the original (no stored number) still gets codes, within the per-user budget', async () => {
  const users = userModel(t.db.connection);
  await users.create({
    username: 'nophone',
    email: 'np@example.com',
    hashed_password: await hashPassword('correct horse battery', TEST_SCRYPT),
    authyId: '7201',
  });
  const agent = client(t.app);
  await agent.post('/api/login').send({ username: 'nophone', password: 'correct horse battery' }).expect(200);
  authyScope().get('/protected/json/sms/7201').query(true).times(5).reply(200, replies.smsSent);
  for (let i = 0; i < 5; i++) await agent.post('/api/accountsecurity/sms').expect(200);
  await agent.post('/api/accountsecurity/sms').expect(429);
});

describe('the global ceiling (LIMIT_SENDS_GLOBAL=10/1h here)', () => {
  test('a warning at 80 %, once per window; past the ceiling a 503 with Retry-After; the next window opens again', async () => {
    const limits = limitsFrom({ ...RELAXED_LIMITS, LIMIT_SENDS_GLOBAL: '10/1h' });
    const app = await createTestApp({ now, config: testConfig({ limits, trustProxy: 'loopback' }) });
    try {
      const warnings = () => app.logs.lines.filter((l) => l.includes('LIMIT_SENDS_GLOBAL'));
      const send = (i: number) =>
        post(app.app, '/api/verification/start')
          .set('X-Forwarded-For', `192.0.2.${i + 1}`)
          .send({ country_code: '1', phone_number: number(i % 10), via: 'call' });
      authyScope().post('/protected/json/phones/verification/start').times(10).reply(200, replies.verificationStarted);
      for (let i = 0; i < 7; i++) await send(i).expect(200);
      expect(warnings()).toHaveLength(0);
      for (let i = 7; i < 10; i++) await send(i).expect(200);
      expect(warnings()).toHaveLength(1);
      expect(JSON.parse(warnings()[0])).toMatchObject({ level: 40, sends: 8, max: 10 });

      const busy = await send(10).expect(503);
      expect(Number(busy.headers['retry-after'])).toBeGreaterThan(0);
      expect(busy.body.error).toMatch(/^The app has sent all the codes it may for now\. Try again in \d+ minutes\.$/);
      await send(11).expect(503);
      expect(warnings()).toHaveLength(1);

      clock += HOUR + 1000;
      authyScope().post('/protected/json/phones/verification/start').times(8).reply(200, replies.verificationStarted);
      for (let i = 0; i < 8; i++) await send(i).expect(200);
      expect(warnings()).toHaveLength(2);
    } finally {
      await app.close();
    }
  });
});
