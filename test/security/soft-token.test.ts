// Attacks on the soft token's enrolment, performed against the Verify sandbox (where the app
// enrols a TOTP factor) and, where they apply, the Authy sandbox (whose app enrols itself):
// - the seed (otpauth URI) read by a login that passed only the password, or by a stolen cookie
//   whose fresh check has lapsed, then used to enrol and to add the thief's passkey;
// - the code that enrols taken as a fresh check;
// - "the factor is verified" taken for "this code is right" (our record missed Verify's answer,
//   or a wrong code raced the owner's enrolling one).
import request from 'supertest';
import { RECHECK_FIELD } from '../../common/passkey-info';
import { userModel } from '../../server/auth/user.model';
import { sandboxTwilioAccount } from '../../server/sandbox';
import type { Client } from '../support/http';
import { SANDBOX_TWILIO_TOKEN, startSandboxApp, type SandboxApp } from '../support/sandbox-app';
import { logIn, newPerson, passBySms, phoneIdOf, register, softTokenCode, type Person } from '../support/sandbox-people';

const MINUTE = 60 * 1000;
/** The app's clock: real time (so sends are told apart by their time), moved on by `skip`. */
let skipped = 0;
const now = () => Date.now() + skipped;
const skip = (ms: number) => (skipped += ms);
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

const seedOf = async (agent: Client) => (await agent.get('/api/accountsecurity/softtoken').expect(200)).body as { enrol: unknown };
const storedVerify = async (app: SandboxApp, p: Person) =>
  (await userModel(app.db.connection).findOne({ username: p.username }).lean())?.verify;

describe.each(['verify', 'authy'] as const)('on the %s sandbox', (provider) => {
  const app = () => apps[provider]!;

  test('the password alone never reads the seed (the owner passed 2FA by SMS, never with the soft token)', async () => {
    const owner = newPerson(`st-${provider}-`, 3100);
    const registered = await register(app(), owner);
    await passBySms(app(), registered, owner);

    const thief = await logIn(app(), owner);
    expect(await seedOf(thief)).toEqual({ enrol: null });
    if (provider === 'verify') {
      // Even with the seed from elsewhere, a login that passed only the password enrols nothing.
      await thief
        .post('/api/accountsecurity/verify')
        .send({ token: await softTokenCode(app(), owner, now()) })
        .expect(401);
      await thief.get('/api/protected').expect(403);
    }

    // The owner still can set it up, after 2FA.
    const later = await logIn(app(), owner);
    await passBySms(app(), later, owner);
    const seed = await seedOf(later);
    if (provider === 'verify') expect(seed.enrol).toMatchObject({ otpauth_url: expect.stringMatching(/^otpauth:\/\/totp\//) });
    else expect(seed).toEqual({ enrol: null });
  });

  test('a stolen cookie once the fresh check lapsed: no seed, no enrolment, no passkey', async () => {
    const owner = newPerson(`st-${provider}-`, 3100);
    const stolen = await register(app(), owner);
    await passBySms(app(), stolen, owner);
    skip(6 * MINUTE);

    if (provider === 'verify') {
      const refused = await stolen.get('/api/accountsecurity/softtoken').expect(403);
      expect(refused.body).toEqual({ error: expect.stringMatching(/confirm it is you/), field: RECHECK_FIELD });
      await stolen
        .post('/api/accountsecurity/softtoken')
        .send({ token: await softTokenCode(app(), owner, now()) })
        .expect(403);
    } else {
      expect(await seedOf(stolen)).toEqual({ enrol: null });
    }
    expect((await stolen.post('/api/passkeys/registration/options').expect(403)).body.field).toBe(RECHECK_FIELD);
  });
});

describe('on the Verify sandbox', () => {
  const app = () => apps.verify!;

  test('the code that enrols passes 2FA for the login that registered, but is no fresh check', async () => {
    const owner = newPerson('st-enrol-', 3200);
    const registered = await register(app(), owner);
    expect((await seedOf(registered)).enrol).not.toBeNull();
    await registered
      .post('/api/accountsecurity/verify')
      .send({ token: await softTokenCode(app(), owner, now()) })
      .expect(200);
    await registered.get('/api/protected').expect(200);
    expect((await registered.post('/api/passkeys/registration/options').expect(403)).body.field).toBe(RECHECK_FIELD);

    // Enrolled: the next code is a Challenge, and that is a fresh check.
    await registered
      .post('/api/accountsecurity/verify')
      .send({ token: await softTokenCode(app(), owner, now(), 1) })
      .expect(200);
    await registered.post('/api/passkeys/registration/options').expect(200);
  });

  test('set up later from /protected: only with a fresh second factor, and its code gives none', async () => {
    const owner = newPerson('st-later-', 3200);
    await register(app(), owner);
    const later = await logIn(app(), owner);
    expect(await seedOf(later)).toEqual({ enrol: null });
    await passBySms(app(), later, owner);
    expect((await seedOf(later)).enrol).not.toBeNull();
    const code = await softTokenCode(app(), owner, now());
    await later
      .post('/api/accountsecurity/softtoken')
      .send({ token: code === '000000' ? '111111' : '000000' })
      .expect(401);

    skip(6 * MINUTE);
    expect((await later.post('/api/accountsecurity/softtoken').send({ token: code }).expect(403)).body.field).toBe(RECHECK_FIELD);
    await passBySms(app(), later, owner);
    skip(4 * MINUTE);
    await later
      .post('/api/accountsecurity/softtoken')
      .send({ token: await softTokenCode(app(), owner, now()) })
      .expect(200, { success: true });
    expect(await seedOf(later)).toEqual({ enrol: null });
    expect((await storedVerify(app(), owner))?.totpUri).toBeUndefined();
    // The SMS 4 minutes ago is still the last fresh check: 2 minutes on, it has lapsed.
    skip(2 * MINUTE);
    await later.post('/api/passkeys/registration/options').expect(403);

    const next = await logIn(app(), owner);
    await next
      .post('/api/accountsecurity/verify')
      .send({ token: await softTokenCode(app(), owner, now(), 1) })
      .expect(200);
  });

  test('a factor still waiting for its first code after a day is replaced when enrolment starts again', async () => {
    const owner = newPerson('st-stale-', 3200);
    const registered = await register(app(), owner);
    const first = (await seedOf(registered)).enrol as { otpauth_url: string };
    const before = (await storedVerify(app(), owner))!;

    skip(25 * 60 * MINUTE);
    const later = await logIn(app(), owner);
    await passBySms(app(), later, owner);
    const renewed = (await seedOf(later)).enrol as { otpauth_url: string };
    expect(renewed.otpauth_url).not.toBe(first.otpauth_url);
    const after = (await storedVerify(app(), owner))!;
    expect(after).toMatchObject({ identity: before.identity, totpUri: renewed.otpauth_url });
    expect(after.totpFactorSid).not.toBe(before.totpFactorSid);
    // The old factor is gone from Verify; the entity keeps one TOTP factor.
    const factors = await app()
      .db.connection.collection('sandbox_verify_factors')
      .find({ identity: before.identity, factorType: 'totp' })
      .toArray();
    expect(factors.map((f) => f.sid)).toEqual([after.totpFactorSid]);
    await later
      .post('/api/accountsecurity/softtoken')
      .send({ token: await softTokenCode(app(), owner, now()) })
      .expect(200);
  });

  test('a factor Verify verified while our record missed it: a wrong code fails, a right one passes as a Challenge', async () => {
    const owner = newPerson('st-missed-', 3200);
    const registered = await register(app(), owner);
    // Verify verifies the factor, and the user update after it fails (say, the database went away).
    const { accountSid, authToken, serviceSid } = sandboxTwilioAccount(SANDBOX_TWILIO_TOKEN);
    const { identity, totpFactorSid } = (await storedVerify(app(), owner))!;
    const code = await softTokenCode(app(), owner, now());
    const verified = await request(app().baseUrl)
      .post(`/sandbox/verify/v2/Services/${serviceSid}/Entities/${identity}/Factors/${totpFactorSid}`)
      .auth(accountSid, authToken)
      .type('form')
      .send({ AuthPayload: code })
      .expect(200);
    expect(verified.body.status).toBe('verified');
    expect((await storedVerify(app(), owner))?.totpUri).toBeDefined();

    await registered
      .post('/api/accountsecurity/verify')
      .send({ token: code === '000000' ? '111111' : '000000' })
      .expect(401);
    await registered.get('/api/protected').expect(403);
    expect((await storedVerify(app(), owner))?.totpUri).toBeUndefined();
    await registered
      .post('/api/accountsecurity/verify')
      .send({ token: await softTokenCode(app(), owner, now(), 1) })
      .expect(200);
  });

  test("wrong codes sent alongside the owner's enrolling code never pass", async () => {
    for (let round = 0; round < 3; round++) {
      const owner = newPerson('st-race-', 3200);
      const registered = await register(app(), owner);
      // Other sessions that may enrol too, 2FA passed by SMS just now: other tabs, or stolen fresh cookies.
      const others = [];
      for (let i = 0; i < 3; i++) {
        const other = await logIn(app(), owner);
        await passBySms(app(), other, owner);
        others.push(other);
      }
      const right = await softTokenCode(app(), owner, now());
      const wrong = right === '000000' ? '111111' : '000000';
      const [mine, ...theirs] = await Promise.all([
        registered.post('/api/accountsecurity/verify').send({ token: right }),
        ...others.map((other) => other.post('/api/accountsecurity/verify').send({ token: wrong })),
      ]);
      // The enrolment lock may turn any of them away (409, not counted); a wrong code never gets a 200.
      expect([200, 409]).toContain(mine.status);
      for (const res of theirs) expect([401, 409]).toContain(res.status);
    }
  });
});

test('the phone knows each person by an id of the provider (no personal data in the factor name)', async () => {
  const owner = newPerson('st-name-', 3300);
  await register(apps.verify!, owner);
  const factor = await apps
    .verify!.db.connection.collection('sandbox_verify_factors')
    .findOne({ identity: await phoneIdOf(apps.verify!, owner), factorType: 'totp' });
  expect(factor?.friendlyName).toBe('localhost');
});
