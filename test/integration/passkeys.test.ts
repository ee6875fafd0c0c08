// Passkeys over the API with generated fixtures (test/support/soft-authenticator.ts): enrolment,
// the list and its edits, a passkey as the second factor, sign-in with a passkey alone, the
// signature counter, and the 5-minute rules (challenges, the fresh check before a removal).
import { MAX_PASSKEYS, RECHECK_FIELD } from '../../common/passkey-info';
import { loadConfig } from '../../server/platform/config';
import { SESSIONS_COLLECTION } from '../../server/http/session';
import { PasskeyStore } from '../../server/passkeys/passkey-store';
import { createTestApp, PUBLIC_URL, testConfig, useTestApp } from '../support/app';
import { authyScope, replies } from '../support/authy-nock';
import { client, get } from '../support/http';
import {
  authenticator,
  enrol,
  passwordLogin,
  registrationOptions,
  secondFactorOptions,
  signIn,
  signInOptions,
  tokenLogin,
  twoFactorAgent,
} from '../support/passkeys';
import { heldSessionCookie, sessionCookie } from '../support/users';

let clock = Date.now();
const t = useTestApp({ now: () => clock });
const passkeys = () => t.db.connection.collection('passkeys');
const sessions = () => t.db.connection.collection<{ session: Record<string, unknown> }>(SESSIONS_COLLECTION);
const MINUTE = 60 * 1000;
/** The highest signature counter the app has seen for a passkey (as the sign-in reads it). */
const counterOf = async (credentialId: string) => (await new PasskeyStore(t.db.connection, () => clock).find(credentialId))?.counter;

describe('enrolment', () => {
  test('options name this site (RP ID and origin from PUBLIC_URL) and prefer user verification', async () => {
    const agent = await twoFactorAgent(t.app, 'pk-options', 3001);
    const options = (await agent.post('/api/passkeys/registration/options').expect(200)).body;
    expect(options).toMatchObject({
      rp: { id: 'localhost', name: 'Account Security Quickstart' },
      user: { name: 'pk-options' },
      attestation: 'none',
      excludeCredentials: [],
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    });
    expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('a passkey is stored with its id, public key, counter, transports, dates and a name; the list shows it', async () => {
    const agent = await twoFactorAgent(t.app, 'pk-enrol', 3002);
    const auth = authenticator({ transports: ['internal', 'hybrid'] });
    const summary = await enrol(agent, auth);
    const id = auth.credentials[0].id.toString('base64url');
    expect(summary).toEqual({ id, name: 'Passkey 1', createdAt: new Date(clock).toISOString(), lastUsedAt: null, synced: false });

    const stored = await passkeys().findOne({ credentialId: id });
    const user = await t.db.connection.collection('users').findOne({ username: 'pk-enrol' });
    expect(stored).toMatchObject({
      userId: String(user!._id),
      publicKey: auth.credentials[0].cosePublicKey.toString('base64url'),
      counter: 0,
      transports: ['internal', 'hybrid'],
      name: 'Passkey 1',
      createdAt: new Date(clock),
    });
    expect(stored).not.toHaveProperty('lastUsedAt');

    const list = (await agent.get('/api/passkeys').expect(200)).body;
    expect(list).toEqual({ passkeys: [summary], max: MAX_PASSKEYS });
    // The next registration asks the browser to skip this authenticator.
    expect((await registrationOptions(agent)).excludeCredentials).toEqual([{ id, type: 'public-key', transports: ['internal', 'hybrid'] }]);
  });

  test('a synced passkey (backed up) is listed as synced', async () => {
    const agent = await twoFactorAgent(t.app, 'pk-synced', 3003);
    const summary = await enrol(agent, authenticator({ backupEligible: true, backedUp: true, counterStep: 0 }));
    expect(summary.synced).toBe(true);
  });

  test('the challenge is single use, and dies with the 5 minutes', async () => {
    const agent = await twoFactorAgent(t.app, 'pk-challenge', 3004);
    const auth = authenticator();
    const options = await registrationOptions(agent);
    const first = auth.create(options);
    await agent.post('/api/passkeys/registration').send(first).expect(200);
    const again = await agent.post('/api/passkeys/registration').send(auth.create(options)).expect(400);
    expect(again.body.error).toMatch(/No passkey request is pending/);

    const late = await registrationOptions(agent);
    clock += 5 * MINUTE + 1000;
    // Also past the fresh check: confirm with the first passkey, then answer the late challenge.
    await confirmWithPasskey(agent, auth);
    await agent.post('/api/passkeys/registration').send(auth.create(late)).expect(400);
    expect(await passkeys().countDocuments({ userId: (await userId('pk-challenge'))! })).toBe(1);
  });

  test(`at most ${MAX_PASSKEYS} per person, even when the last two places are taken at once`, async () => {
    const agent = await twoFactorAgent(t.app, 'pk-many', 3005);
    const auth = authenticator({ counterStep: 0 });
    for (let i = 0; i < MAX_PASSKEYS - 1; i++) await enrol(agent, auth);
    // Two tabs (two sessions of the same person) each hold a challenge for the last place.
    const other = await tokenLogin(t.app, 'pk-many', 3005);
    const [a, b] = [await registrationOptions(agent), await registrationOptions(other)];
    const [ra, rb] = await Promise.all([
      agent.post('/api/passkeys/registration').send(auth.create(a)),
      other.post('/api/passkeys/registration').send(auth.create(b)),
    ]);
    expect([ra.status, rb.status].sort()).toEqual([200, 409]);
    expect(await passkeys().countDocuments({ userId: (await userId('pk-many'))! })).toBe(MAX_PASSKEYS);
    const full = await agent.post('/api/passkeys/registration/options').expect(409);
    expect(full.body.error).toBe(`You already have ${MAX_PASSKEYS} passkeys, the most allowed: remove one first.`);
    // The names follow the places.
    const names = (await agent.get('/api/passkeys')).body.passkeys.map((p: { name: string }) => p.name);
    expect(new Set(names)).toEqual(new Set(Array.from({ length: MAX_PASSKEYS }, (_, i) => `Passkey ${i + 1}`)));
  });

  test('a credential id registered already (to anyone) is a 409', async () => {
    const alice = await twoFactorAgent(t.app, 'pk-dup-a', 3006);
    const auth = authenticator();
    await enrol(alice, auth);
    const mallory = await twoFactorAgent(t.app, 'pk-dup-m', 3007);
    const options = await registrationOptions(mallory);
    const res = await mallory.post('/api/passkeys/registration').send(auth.create(options, auth.credentials[0])).expect(409);
    expect(res.body).toEqual({ error: 'This passkey is already registered.' });
    expect((await mallory.get('/api/passkeys')).body.passkeys).toEqual([]);
  });
});

describe('the list: names and removal', () => {
  test('a name can be edited; a bad name is a 400 naming the field; another person’s passkey is a 404', async () => {
    const agent = await twoFactorAgent(t.app, 'pk-rename', 3010);
    const { id } = await enrol(agent, authenticator());
    const renamed = await agent.patch(`/api/passkeys/${id}`).send({ name: '  Work laptop ' }).expect(200);
    expect(renamed.body.passkey).toMatchObject({ id, name: 'Work laptop' });
    expect((await agent.get('/api/passkeys')).body.passkeys[0].name).toBe('Work laptop');

    for (const name of ['', '   ', 'x'.repeat(65), 'tab\there', 42, { $ne: null }]) {
      const res = await agent.patch(`/api/passkeys/${id}`).send({ name });
      expect({ status: res.status, field: res.body.field }).toEqual({ status: 400, field: 'name' });
    }
    const other = await twoFactorAgent(t.app, 'pk-rename-other', 3011);
    await other.patch(`/api/passkeys/${id}`).send({ name: 'Mine now' }).expect(404);
    await other.delete(`/api/passkeys/${id}`).expect(404);
    await agent.patch('/api/passkeys/not%20an%20id').send({ name: 'x' }).expect(404);
    expect((await agent.get('/api/passkeys')).body.passkeys[0].name).toBe('Work laptop');
  });

  test('removal needs a second-factor check within 5 minutes: a passkey or a token renews it', async () => {
    const agent = await twoFactorAgent(t.app, 'pk-remove', 3012);
    const auth = authenticator();
    const first = await enrol(agent, auth);
    const second = await enrol(agent, auth);

    clock += 5 * MINUTE + 1000;
    const stale = await agent.delete(`/api/passkeys/${first.id}`).expect(403);
    expect(stale.body).toEqual({ error: 'Please confirm it is you first, with a passkey or your second factor.', field: RECHECK_FIELD });
    // Adding one needs the same check.
    await agent.post('/api/passkeys/registration/options').expect(403);

    await confirmWithPasskey(agent, auth);
    await agent.delete(`/api/passkeys/${first.id}`).expect(200, { success: true });
    expect((await agent.get('/api/passkeys')).body.passkeys.map((p: { id: string }) => p.id)).toEqual([second.id]);

    clock += 6 * MINUTE;
    await agent.delete(`/api/passkeys/${second.id}`).expect(403);
    authyScope().get('/protected/json/verify/1234567/3012').reply(200, replies.tokenValid);
    await agent.post('/api/accountsecurity/verify').send({ token: '1234567' }).expect(200);
    await agent.delete(`/api/passkeys/${second.id}`).expect(200);
    // Gone, so /2fa no longer offers one.
    expect((await agent.get('/api/passkeys/available').expect(200)).body).toEqual({ available: false });
    await agent.post('/api/passkeys/authentication/options').expect(404);
  });

  test('guards: the list and its edits need 2FA; whether a passkey is available needs a login', async () => {
    const anonymous = client(t.app);
    await anonymous.get('/api/passkeys').expect(401);
    await anonymous.get('/api/passkeys/available').expect(401);
    await anonymous.post('/api/passkeys/registration/options').expect(401);
    await anonymous.post('/api/passkeys/authentication/options').expect(401);
    const pending = (await twoFactorAgent(t.app, 'pk-guards', 3013)) && (await passwordLogin(t.app, 'pk-guards'));
    await pending.get('/api/passkeys').expect(403);
    await pending.post('/api/passkeys/registration/options').expect(403);
    await pending.patch('/api/passkeys/abc').send({ name: 'x' }).expect(403);
    await pending.delete('/api/passkeys/abc').expect(403);
    expect((await pending.get('/api/passkeys/available').expect(200)).body).toEqual({ available: false });
  });
});

describe('a passkey as the second factor', () => {
  test('password, then the passkey: 2FA passes under a new session id, and the use is recorded', async () => {
    const setup = await twoFactorAgent(t.app, 'pk-2fa', 3020);
    const auth = authenticator();
    const { id } = await enrol(setup, auth);

    const agent = await passwordLogin(t.app, 'pk-2fa');
    expect((await agent.get('/api/passkeys/available').expect(200)).body).toEqual({ available: true });
    const options = await secondFactorOptions(agent);
    expect(options).toMatchObject({ rpId: 'localhost', userVerification: 'preferred', allowCredentials: [{ id, type: 'public-key' }] });
    const before = heldSessionCookie(agent);
    expect(before).toBeDefined();

    clock += MINUTE;
    const res = await agent.post('/api/passkeys/authentication').send(auth.get(options)).expect(200, { success: true });
    expect(sessionCookie(res)).toBeDefined();
    expect(sessionCookie(res)).not.toBe(before);
    await agent.get('/api/protected').expect(200);
    const stored = await passkeys().findOne({ credentialId: id });
    expect(stored).toMatchObject({ lastUsedAt: new Date(clock) });
    expect(await counterOf(id)).toBe(1);
    expect((await agent.get('/api/passkeys')).body.passkeys[0].lastUsedAt).toBe(new Date(clock).toISOString());
  });

  test('a passkey without user verification still passes 2FA (it is the second factor, the password the first)', async () => {
    const setup = await twoFactorAgent(t.app, 'pk-2fa-nouv', 3021);
    const auth = authenticator({ userVerified: false });
    await enrol(setup, auth);
    const agent = await passwordLogin(t.app, 'pk-2fa-nouv');
    await agent
      .post('/api/passkeys/authentication')
      .send(auth.get(await secondFactorOptions(agent)))
      .expect(200);
    await agent.get('/api/protected').expect(200);
  });

  test('no passkey: the options are a 404 and nothing is pending', async () => {
    await twoFactorAgent(t.app, 'pk-none', 3022);
    const agent = await passwordLogin(t.app, 'pk-none');
    expect((await agent.get('/api/passkeys/available')).body).toEqual({ available: false });
    expect((await agent.post('/api/passkeys/authentication/options').expect(404)).body).toEqual({ error: 'You have no passkey yet.' });
  });
});

describe('sign-in with a passkey alone', () => {
  test('a discoverable passkey with user verification logs straight in to the complete stage', async () => {
    const setup = await twoFactorAgent(t.app, 'pk-signin', 3030);
    const auth = authenticator();
    await enrol(setup, auth);

    const visitor = client(t.app);
    const options = await signInOptions(visitor);
    expect(options).toMatchObject({ rpId: 'localhost', userVerification: 'required' });
    expect(options.allowCredentials ?? []).toEqual([]);
    const res = await visitor.post('/api/passkeys/sign-in').send(auth.get(options)).expect(200, { success: true });
    expect(sessionCookie(res)).toBeDefined();
    expect((await visitor.post('/api/loggedIn')).body).toMatchObject({ url: '/protected' });
    expect((await visitor.get('/api/protected').expect(200)).body.username).toBe('pk-signin');

    // One login record, complete, checked just now; the challenge is gone.
    const stored = await sessions().findOne({ 'session.login.username': 'pk-signin', 'session.login.stage': 'complete' });
    expect(Object.keys(stored!.session).sort()).toEqual(['cookie', 'login']);
    expect(stored!.session.login).toEqual({
      userId: expect.any(String),
      username: 'pk-signin',
      stage: 'complete',
      startedAt: clock,
      checkedAt: clock,
      passedAt: clock,
      handle: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    });
  });

  test('without user verification it is refused: possession alone is one factor', async () => {
    const setup = await twoFactorAgent(t.app, 'pk-signin-nouv', 3031);
    const auth = authenticator();
    await enrol(setup, auth);
    auth.opts.userVerified = false;
    const { agent, res } = await signIn(t.app, auth);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/needs its PIN or biometric check/);
    expect((await agent.post('/api/loggedIn')).body).toEqual({ url: '/login' });
  });

  test('an unknown passkey, or one whose user is gone, is a 401', async () => {
    const stranger = authenticator();
    stranger.create({ challenge: 'x', rp: { id: 'localhost' }, user: { id: 'bm9ib2R5' } });
    expect((await signIn(t.app, stranger)).res.status).toBe(401);

    const setup = await twoFactorAgent(t.app, 'pk-gone', 3032);
    const auth = authenticator();
    await enrol(setup, auth);
    await t.db.connection.collection('users').deleteOne({ username: 'pk-gone' });
    const { agent, res } = await signIn(t.app, auth);
    expect(res.status).toBe(401);
    expect((await agent.post('/api/loggedIn')).body).toEqual({ url: '/login' });
  });

  test('sign-ins started per client address are limited (LIMIT_PASSKEY_SIGNINS_PER_IP)', async () => {
    const limits = loadConfig({ LIMIT_PASSKEY_SIGNINS_PER_IP: '2/15m' }).limits;
    // Its own database: this file's other sign-ins came from the same address.
    const limited = await createTestApp({ config: testConfig({ limits }) });
    try {
      const visitor = client(limited.app);
      await visitor.post('/api/passkeys/sign-in/options').expect(200);
      await visitor.post('/api/passkeys/sign-in/options').expect(200);
      const refused = await client(limited.app).post('/api/passkeys/sign-in/options').expect(429);
      expect(Number(refused.headers['retry-after'])).toBe(15 * 60);
    } finally {
      await limited.close();
    }
  });
});

describe('the signature counter', () => {
  test('a counter that does not move forward is refused and logged', async () => {
    const setup = await twoFactorAgent(t.app, 'pk-clone', 3040);
    const auth = authenticator();
    const { id } = await enrol(setup, auth);
    expect((await signIn(t.app, auth)).res.status).toBe(200);
    expect((await signIn(t.app, auth)).res.status).toBe(200);
    expect(await counterOf(id)).toBe(2);

    // A copy of the key that has signed less often than the original.
    auth.credentials[0].signCount = 1;
    const { agent, res } = await signIn(t.app, auth);
    expect(res.status).toBe(401);
    expect((await agent.post('/api/loggedIn')).body).toEqual({ url: '/login' });
    const warning = t.logs.lines.find((l) => l.includes('signature counter went backwards'));
    expect(warning).toBeDefined();
    expect(JSON.parse(warning!)).toMatchObject({ level: 40, reason: 'signature counter 2 after 2' });
    expect(await counterOf(id)).toBe(2);
  });

  test('an authenticator that always reports 0 (a synced passkey) is accepted every time', async () => {
    const setup = await twoFactorAgent(t.app, 'pk-zero', 3041);
    const auth = authenticator({ counterStep: 0, backupEligible: true, backedUp: true });
    const { id } = await enrol(setup, auth);
    for (let i = 0; i < 3; i++) expect((await signIn(t.app, auth)).res.status).toBe(200);
    expect(await counterOf(id)).toBe(0);
  });

  test('0 after a counter was seen (a cloned authenticator, says the WebAuthn spec) is refused and logged', async () => {
    const setup = await twoFactorAgent(t.app, 'pk-zero-after', 3042);
    const auth = authenticator({ counterStep: 5 });
    const { id } = await enrol(setup, auth);
    expect((await signIn(t.app, auth)).res.status).toBe(200);
    expect(await counterOf(id)).toBe(5);

    auth.opts.counterStep = 0;
    auth.credentials[0].signCount = 0;
    const { agent, res } = await signIn(t.app, auth);
    expect(res.status).toBe(401);
    expect((await agent.post('/api/loggedIn')).body).toEqual({ url: '/login' });
    const warning = t.logs.lines.find((l) => l.includes('signature counter went backwards') && l.includes('counter 0 after 5'));
    expect(JSON.parse(warning!)).toMatchObject({ level: 40, reason: 'signature counter 0 after 5' });
    // Nor as the second factor, after the password.
    const second = await passwordLogin(t.app, 'pk-zero-after');
    const options = await secondFactorOptions(second);
    await second.post('/api/passkeys/authentication').send(auth.get(options)).expect(401);
    expect(await counterOf(id)).toBe(5);
  });

  test('sign-ins finishing out of order never move the counter back (each value is taken once)', async () => {
    const setup = await twoFactorAgent(t.app, 'pk-order', 3043);
    const auth = authenticator();
    const { id } = await enrol(setup, auth);
    const store = new PasskeyStore(t.db.connection, () => clock);
    // Two sign-ins read the stored passkey (counter 0) before either wrote: 6 finishes first, then 5.
    const read = (await store.find(id))!;
    expect(await store.recordUse(read, 6)).toBe(true);
    expect(await store.recordUse(read, 5)).toBe(true);
    expect(await counterOf(id)).toBe(6);
    // A second use of one counter value (two copies of one key at once): only the first is taken.
    expect(await store.recordUse(read, 6)).toBe(false);
    // The authenticator's next real use (7) passes; a replayed lower one does not.
    auth.credentials[0].signCount = 6;
    expect((await signIn(t.app, auth)).res.status).toBe(200);
    expect(await counterOf(id)).toBe(7);
    auth.credentials[0].signCount = 4;
    expect((await signIn(t.app, auth)).res.status).toBe(401);
  });
});

test('passkeys are off when PUBLIC_URL names an IP address (browsers refuse it as a passkey site)', async () => {
  const byIp = await createTestApp({ config: testConfig({ publicUrl: 'http://127.0.0.1:1337' }) }, { db: t.db });
  expect((await get(byIp.app, '/api/config')).body).toEqual({
    provider: 'authy',
    sandbox: false,
    passkeyOrigin: null,
    rememberBrowserDays: 30,
    passwordReset: false,
  });
  const res = await client(byIp.app).post('/api/passkeys/sign-in/options').expect(404);
  expect(res.body.error).toMatch(/PUBLIC_URL must name a host/);
  expect((await get(t.app, '/api/config')).body.passkeyOrigin).toBe(PUBLIC_URL);
});

// ---------------------------------------------------------------------------------------------

async function userId(username: string): Promise<string | undefined> {
  const user = await t.db.connection.collection('users').findOne({ username });
  return user ? String(user._id) : undefined;
}

/** A fresh check after 2FA, with a passkey. */
async function confirmWithPasskey(agent: ReturnType<typeof client>, auth: ReturnType<typeof authenticator>): Promise<void> {
  await agent
    .post('/api/passkeys/authentication')
    .send(auth.get(await secondFactorOptions(agent)))
    .expect(200);
}
