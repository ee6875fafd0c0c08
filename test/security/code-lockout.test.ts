// Attacks on the codes a person receives, performed against the Verify
// sandbox and, where they apply, the Authy sandbox:
// - an anonymous attacker uses up, through the phone verification demo, the checks of the
//   Verification that carries the owner's 2FA code, so the owner's right code fails and counts
//   as the owner's own failure (five of them lock the owner out);
// - a code typed at /2fa in one session passes with the code another session had sent.
import { client } from '../support/http';
import { startSandboxApp, type SandboxApp } from '../support/sandbox-app';
import { lastSms, logIn, newPerson, register } from '../support/sandbox-people';

const now = () => Date.now();
const apps: Partial<Record<'verify' | 'authy', SandboxApp>> = {};

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
