// Attacks on the codes a person receives, and on push approvals, performed against the Verify
// sandbox and, where they apply, the Authy sandbox:
// - an anonymous attacker uses up, through the phone verification demo, the checks of the
//   Verification that carries the owner's 2FA code, so the owner's right code fails and counts
//   as the owner's own failure (five of them lock the owner out);
// - a code typed at /2fa in one session passes with the code another session had sent;
// - push fatigue: a push request that does not say where it comes from, nor what it approves.
import request from 'supertest';
import { client } from '../support/http';
import { startSandboxApp, type SandboxApp } from '../support/sandbox-app';
import { lastSms, logIn, newPerson, passBySms, phoneIdOf, pushRequests, register, type Person } from '../support/sandbox-people';

const MINUTE = 60 * 1000;
let skipped = 0;
const now = () => Date.now() + skipped;
const apps: Partial<Record<'verify' | 'authy', SandboxApp>> = {};
const CHROME_ON_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

beforeAll(async () => {
  [apps.verify, apps.authy] = await Promise.all([
    startSandboxApp({ provider: 'verify', now }),
    startSandboxApp({ provider: 'authy', now }),
  ]);
});
afterAll(async () => {
  await Promise.all([apps.verify?.close(), apps.authy?.close()]);
});

describe.each(['verify', 'authy'] as const)('on the %s sandbox', (provider) => {
  const app = () => apps[provider]!;

  /** The newest push request "the phone" holds for `p`. */
  async function pushOf(p: Person) {
    const id = await phoneIdOf(app(), p);
    return (await pushRequests(app())).find((r) => r.authy_id === id || r.identity === id)!;
  }

  test("anyone's wrong codes on the phone verification demo, for the owner's number, leave the owner's 2FA code working", async () => {
    const owner = newPerson(`cl-${provider}-`, 3400);
    const agent = await register(app(), owner);
    await agent.post('/api/accountsecurity/sms').expect(200);
    const code = await lastSms(app(), owner);

    const attacker = client(app().baseUrl);
    const phone = { country_code: '1', phone_number: owner.phone };
    await attacker
      .post('/api/verification/start')
      .send({ ...phone, via: 'sms' })
      .expect(200);
    for (let i = 0; i < 5; i++)
      await attacker
        .post('/api/verification/verify')
        .send({ ...phone, token: '00000' })
        .expect(401);

    await agent.post('/api/accountsecurity/verify').send({ token: code }).expect(200);
    await agent.get('/api/protected').expect(200);
  });

  test('a push request says where it comes from (browser, network: not the address) and, after 2FA, what it approves', async () => {
    const owner = newPerson(`cl-push-${provider}-`, 3400);
    const agent = await register(app(), owner);
    await agent.post('/api/accountsecurity/onetouch').set('User-Agent', CHROME_ON_LINUX).expect(200);
    const login = await pushOf(owner);
    expect(login.message).toBe('Login requested from Chrome on Linux (network 127.0.0.0/24). Not you? Deny it and change your password.');

    // After 2FA, once the fresh check lapsed, adding a passkey asks for one: the push names it.
    await passBySms(app(), agent, owner);
    skipped += 6 * MINUTE;
    await agent.post('/api/passkeys/registration/options').expect(403);
    const created = await agent.post('/api/accountsecurity/onetouch').set('User-Agent', CHROME_ON_LINUX).expect(200);
    const uuid = created.body.approval_request.uuid as string;
    const check = await pushOf(owner);
    expect(check).toMatchObject({ uuid, status: 'pending' });
    expect(check.message).toBe('“Add a passkey” from Chrome on Linux (network 127.0.0.0/24). Not you? Deny it and change your password.');

    await request(app().baseUrl).post(`/sandbox/approvals/${uuid}/approve`).expect(200);
    expect((await agent.post('/api/accountsecurity/onetouchstatus').expect(200)).body.approval_request.status).toBe('approved');
    await agent.post('/api/passkeys/registration/options').expect(200);
  });
});

test("on the Verify sandbox, a code typed at /2fa is checked against this session's own send only", async () => {
  const app = apps.verify!;
  const owner = newPerson('cl-own-', 3500);
  const mine = await register(app, owner);
  await mine.post('/api/accountsecurity/sms').expect(200);
  const code = await lastSms(app, owner);
  // Another login with the password, which sent nothing, tries the code the first one was sent.
  const other = await logIn(app, owner);
  await other.post('/api/accountsecurity/verify').send({ token: code }).expect(401);
  await other.get('/api/protected').expect(403);
  await mine.post('/api/accountsecurity/verify').send({ token: code }).expect(200);
});
