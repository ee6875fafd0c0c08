// Phone verification: start by SMS or call, check the code, /verified opens.
import { client, get, post } from '../support/http';
import { limitsFrom } from '../../server/platform/limits-config';
import { testConfig, useTestApp } from '../support/app';
import { authyScope, replies } from '../support/authy-nock';

// The real limits: the per-number budget is part of what is tested here.
const t = useTestApp({ config: testConfig({ limits: limitsFrom({}) }) });

const phone = { phone_number: '415-555-2671', country_code: '+1' };

describe('POST /api/verification/start', () => {
  test.each(['phone_number', 'country_code', 'via'])('a missing %s is a 400 naming it (the original answered 500)', async (field) => {
    const body: Record<string, unknown> = { ...phone, via: 'sms' };
    delete body[field];
    expect((await post(t.app, '/api/verification/start').send(body).expect(400)).body.field).toBe(field);
  });

  test('via must be sms or call', async () => {
    expect(
      (
        await post(t.app, '/api/verification/start')
          .send({ ...phone, via: 'fax' })
          .expect(400)
      ).body.field,
    ).toBe('via');
    expect(
      (
        await post(t.app, '/api/verification/start')
          .send({ ...phone, via: ['sms'] })
          .expect(400)
      ).body.field,
    ).toBe('via');
  });

  test.each(['sms', 'call'])("starts a 4-digit verification by %s, saying where the code went in the app's words", async (via) => {
    authyScope()
      .post('/protected/json/phones/verification/start', { via, phone_number: '4155552671', country_code: '1', code_length: 4 })
      .reply(200, replies.verificationStarted);
    const res = await post(t.app, '/api/verification/start')
      .send({ ...phone, via })
      .expect(200);
    // The app's one wording for codes sent (common/code-sent.ts), not Authy's, which shows more of the number.
    const message = via === 'sms' ? 'Code sent by SMS to …2671, valid 10 minutes.' : 'Calling …2671 with a code, valid 10 minutes.';
    expect(res.body).toEqual({ success: true, message });
  });

  test('the ways of writing one number share one budget; a trunk prefix that is not one is a 400', async () => {
    authyScope().post('/protected/json/phones/verification/start').times(5).reply(200, replies.verificationStarted);
    for (const written of ['415-555-0199', '1 415 555 0199', '(415) 555-0199', '14155550199', '4155550199']) {
      await post(t.app, '/api/verification/start').send({ country_code: '1', phone_number: written, via: 'sms' }).expect(200);
    }
    await post(t.app, '/api/verification/start').send({ country_code: '+1', phone_number: '415.555.0199', via: 'call' }).expect(429);
    const trunk = await post(t.app, '/api/verification/start')
      .send({ country_code: '1', phone_number: '04155550199', via: 'sms' })
      .expect(400);
    expect(trunk.body.field).toBe('phone_number');
  });

  test('Authy refusing is a 502 with its message', async () => {
    authyScope()
      .post('/protected/json/phones/verification/start')
      .reply(400, {
        success: false,
        message: 'Phone number is invalid',
        errors: { message: 'Phone number is invalid' },
        error_code: '60033',
      });
    const res = await post(t.app, '/api/verification/start')
      .send({ ...phone, via: 'sms' })
      .expect(502);
    expect(res.body.error).toMatch(/Phone number is invalid/);
  });
});

describe('POST /api/verification/verify and /verified', () => {
  const check = (code: string) =>
    authyScope()
      .get('/protected/json/phones/verification/check')
      .query({ phone_number: '4155552671', country_code: '1', verification_code: code });

  test('a missing or malformed code is a 400', async () => {
    expect((await post(t.app, '/api/verification/verify').send(phone).expect(400)).body.field).toBe('token');
    expect(
      (
        await post(t.app, '/api/verification/verify')
          .send({ ...phone, token: '12' })
          .expect(400)
      ).body.field,
    ).toBe('token');
    expect(
      (
        await post(t.app, '/api/verification/verify')
          .send({ ...phone, token: { $gt: '' } })
          .expect(400)
      ).body.field,
    ).toBe('token');
  });

  test('a wrong code is a 401 and /verified stays closed', async () => {
    const agent = client(t.app);
    check('0000').reply(401, replies.verificationWrong);
    const res = await agent
      .post('/api/verification/verify')
      .send({ ...phone, token: '0000' })
      .expect(401);
    expect(res.body).toEqual({ error: 'That code is not valid.', field: 'token' });
    await agent.get('/verified').expect(302).expect('Location', '/verification');
  });

  test('the right code verifies the phone for this session', async () => {
    const agent = client(t.app);
    await agent.get('/verified').expect(302).expect('Location', '/verification');
    check('1234').reply(200, replies.verificationCorrect);
    await agent
      .post('/api/verification/verify')
      .send({ ...phone, token: '1234' })
      .expect(200, { success: true });
    await agent.get('/verified').expect(200);
    // Another visitor is not verified.
    await get(t.app, '/verified').expect(302);
  });
});
