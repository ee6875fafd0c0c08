// The whole stories a person lives, cookies carried by supertest's agent, against each 2FA API
// the app can talk to: Authy and Twilio Verify, each faked with nock at its real URL and each
// played by the embedded sandbox (test/support/upstreams.ts). The routes, the session and the
// JSON the SPA reads are the same for all four.
import { userModel } from '../../server/auth/user.model';
import { client } from '../support/http';
import { UPSTREAMS, type Person } from '../support/upstreams';

const PASSWORD = 'correct horse battery';
let seq = 0;
function person(name: string): Person {
  const n = 2700 + ++seq;
  return { username: `${name}${seq}`, phone: `415-555-${n}`, e164: `+1415555${n}` };
}
const form = (p: Person) => ({
  username: p.username,
  email: `${p.username}@example.com`,
  password: PASSWORD,
  country_code: '+1',
  phone_number: p.phone,
});

describe.each(UPSTREAMS.map((make) => make()))('$name', (up) => {
  beforeAll(() => up.start());
  afterAll(() => up.stop());

  async function registered(p: Person) {
    up.beforeRegister(p);
    const agent = client(up.app);
    await agent.post('/api/user/register').send(form(p)).expect(200, { success: true });
    return agent;
  }

  test('register → SMS → verify → protected → logout', async () => {
    const p = person('ada');
    const agent = await registered(p);
    expect((await agent.post('/api/loggedIn').expect(200)).body).toMatchObject({ url: '/2fa' });
    await agent.get('/api/protected').expect(403);
    await agent.get('/protected').expect(302).expect('Location', '/2fa?next=%2Fprotected');

    up.beforeSend(p, 'sms');
    const sms = await agent.post('/api/accountsecurity/sms').expect(200);
    expect(sms.body).toEqual({ success: true, message: expect.any(String), cellphone: `+1-XXX-XXX-${p.e164.slice(-4)}` });

    const code = await up.codeSent(p, 'sms', '2fa');
    await agent.post('/api/accountsecurity/verify').send({ token: code }).expect(200, { success: true });
    expect((await agent.post('/api/loggedIn').expect(200)).body).toMatchObject({ url: '/protected' });
    expect((await agent.get('/api/protected').expect(200)).body.username).toBe(p.username);

    await agent.post('/api/logout').expect(200);
    await agent.get('/api/protected').expect(401);
    expect((await agent.post('/api/loggedIn').expect(200)).body).toEqual({ url: '/login' });
  });

  test('login → voice call → verify → protected', async () => {
    const p = person('bob');
    await registered(p);
    const agent = client(up.app);
    await agent.post('/api/login').send({ username: p.username, password: PASSWORD }).expect(200);
    up.beforeSend(p, 'call');
    const call = await agent.post('/api/accountsecurity/voice').expect(200);
    expect(call.body.cellphone).toBe(`+1-XXX-XXX-${p.e164.slice(-4)}`);
    await agent
      .post('/api/accountsecurity/verify')
      .send({ token: await up.codeSent(p, 'call', '2fa') })
      .expect(200);
    await agent.get('/api/protected').expect(200);
  });

  test('login → push → status pending → approved on the phone → protected', async () => {
    const p = person('grace');
    await registered(p);
    const agent = client(up.app);
    await agent.post('/api/login').send({ username: p.username, password: PASSWORD }).expect(200);

    up.beforePush(p);
    const created = await agent.post('/api/accountsecurity/onetouch').expect(200);
    const id = created.body.approval_request.uuid as string;
    expect(created.body).toEqual({ success: true, approval_request: { uuid: expect.any(String) } });

    up.pushPending(p, id);
    const pending = await agent.post('/api/accountsecurity/onetouchstatus').expect(200);
    expect(pending.body).toEqual({ success: true, approval_request: { uuid: id, status: 'pending' } });
    await agent.get('/api/protected').expect(403);

    await up.approvePush(p, id);
    if (up.callsBack) {
      // The signed callback (Authy's) or webhook (Verify's) reached the app and passed its check.
      expect((await up.db.connection.collection('approval_requests').findOne({ pushId: id }))?.status).toBe('approved');
    }
    const approved = await agent.post('/api/accountsecurity/onetouchstatus').expect(200);
    expect(approved.body).toEqual({ success: true, approval_request: { uuid: id, status: 'approved' } });
    await agent.get('/api/protected').expect(200);
    await agent.get('/protected').expect(200);
  });

  test('soft token: the QR code shows until the first code (Verify), never after; the next login passes with it', async () => {
    const p = person('lin');
    const agent = await registered(p);
    const before = await agent.get('/api/accountsecurity/softtoken').expect(200).expect('Cache-Control', 'no-store');
    if (up.enrolsSoftToken) {
      expect(before.body.enrol).toEqual({
        qr_code: expect.stringMatching(/^data:image\/png;base64,/),
        otpauth_url: expect.stringMatching(/^otpauth:\/\/totp\/.*secret=/),
      });
    } else {
      expect(before.body).toEqual({ enrol: null });
    }
    await agent
      .post('/api/accountsecurity/verify')
      .send({ token: await up.softToken(p, false) })
      .expect(200);
    await agent.get('/api/protected').expect(200);
    expect((await agent.get('/api/accountsecurity/softtoken').expect(200)).body).toEqual({ enrol: null });
    // The otpauth URI (the secret) is no longer stored once the factor is verified.
    const stored = await userModel(up.db.connection).findOne({ username: p.username }).lean();
    expect(stored?.verify?.totpUri).toBeUndefined();

    const again = client(up.app);
    await again.post('/api/login').send({ username: p.username, password: PASSWORD }).expect(200);
    expect((await again.get('/api/accountsecurity/softtoken').expect(200)).body).toEqual({ enrol: null });
    await again
      .post('/api/accountsecurity/verify')
      .send({ token: await up.softToken(p, true) })
      .expect(200);
    await again.get('/api/protected').expect(200);
  });

  test('account page: a new phone number, proven by a code sent to it; the next SMS goes there', async () => {
    const p = person('noor');
    const next = person('noor');
    const agent = await registered(p);
    up.beforeSend(p, 'sms');
    await agent.post('/api/accountsecurity/sms').expect(200);
    await agent
      .post('/api/accountsecurity/verify')
      .send({ token: await up.codeSent(p, 'sms', '2fa') })
      .expect(200);

    up.beforeVerificationStart(next, 'sms');
    await agent.post('/api/account/phone/start').send({ country_code: '1', phone_number: next.phone, via: 'sms' }).expect(200);
    up.beforeNewNumber(p, next);
    const changed = await agent
      .post('/api/account/phone/verify')
      .send({ token: await up.codeSent(next, 'sms', 'verification') })
      .expect(200);
    const masked = `+1-XXX-XXX-${next.e164.slice(-4)}`;
    expect(changed.body).toEqual({ success: true, phone: masked });
    expect((await agent.get('/api/account').expect(200)).body.phone).toBe(masked);

    const moved = { ...p, phone: next.phone, e164: next.e164 };
    up.beforeSend(moved, 'sms');
    expect((await agent.post('/api/accountsecurity/sms').expect(200)).body.cellphone).toBe(masked);
    expect((await userModel(up.db.connection).findOne({ username: p.username }).lean())?.phone).toBe(next.e164);
  });

  test('phone verification by SMS → /verified', async () => {
    const p = person('sam');
    const agent = client(up.app);
    const phone = { country_code: '1', phone_number: p.phone };
    up.beforeVerificationStart(p, 'sms');
    const started = await agent
      .post('/api/verification/start')
      .send({ ...phone, via: 'sms' })
      .expect(200);
    expect(started.body).toEqual({ success: true, message: expect.any(String) });
    await agent.get('/verified').expect(302);
    await agent
      .post('/api/verification/verify')
      .send({ ...phone, token: await up.codeSent(p, 'sms', 'verification') })
      .expect(200, { success: true });
    await agent.get('/verified').expect(200);
  });
});
