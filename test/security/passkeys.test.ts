// Attacks on the passkey ceremonies, each performed: a replayed challenge (one after the other
// and at once), another person's passkey, another origin or RP ID (a phishing page), a
// challenge from another session or another ceremony, brute force against the shared attempt
// limit, and bad input of every kind: a clear 4xx, never a 5xx.
import { useTestApp } from '../support/app';
import { authyScope, replies } from '../support/authy-nock';
import { client, postAtOnce, type Client } from '../support/http';
import {
  authenticator,
  enrol,
  passwordLogin,
  registrationOptions,
  secondFactorOptions,
  signInOptions,
  twoFactorAgent,
} from '../support/passkeys';
import type { SoftAuthenticator } from '../support/soft-authenticator';

let clock = Date.now();
const t = useTestApp({ now: () => clock });

/** A user with a passkey on `auth`, and a fresh session of theirs at the password stage. */
async function withPasskey(username: string, authyId: number, auth: SoftAuthenticator = authenticator()) {
  await enrol(await twoFactorAgent(t.app, username, authyId), auth);
  return { auth, agent: await passwordLogin(t.app, username) };
}

const loggedInAt = async (agent: Client) => ((await agent.post('/api/loggedIn')).body as { url: string }).url;

describe('a challenge cannot be replayed', () => {
  test('the same assertion twice, one after the other: the second is a 400', async () => {
    const { auth, agent } = await withPasskey('rp-seq', 4001);
    const assertion = auth.get(await secondFactorOptions(agent));
    await agent.post('/api/passkeys/authentication').send(assertion).expect(200);
    const again = await agent.post('/api/passkeys/authentication').send(assertion).expect(400);
    expect(again.body.error).toMatch(/No passkey request is pending/);
  });

  test('the same assertion five times at once, in one session: exactly one passes', async () => {
    const { auth, agent } = await withPasskey('rp-par', 4002);
    const assertion = auth.get(await secondFactorOptions(agent));
    const statuses = await postAtOnce(agent, '/api/passkeys/authentication', assertion, 5);
    expect(statuses.sort()).toEqual([200, 400, 400, 400, 400]);
  });

  test('a sign-in assertion sent three times at once: exactly one login', async () => {
    const auth = authenticator();
    await enrol(await twoFactorAgent(t.app, 'rp-signin', 4003), auth);
    const visitor = client(t.app);
    const assertion = auth.get(await signInOptions(visitor));
    const statuses = await postAtOnce(visitor, '/api/passkeys/sign-in', assertion, 3);
    expect(statuses.sort()).toEqual([200, 400, 400]);
  });

  test("an assertion captured in one session does not pass in another (its challenge is not that session's)", async () => {
    const { auth, agent } = await withPasskey('rp-cross', 4004);
    const captured = auth.get(await secondFactorOptions(agent));
    const victim = await passwordLogin(t.app, 'rp-cross');
    await secondFactorOptions(victim);
    await victim.post('/api/passkeys/authentication').send(captured).expect(400);
    expect(await loggedInAt(victim)).toBe('/2fa');
    // Nor in a session that has no challenge at all.
    const bare = await passwordLogin(t.app, 'rp-cross');
    await bare.post('/api/passkeys/authentication').send(captured).expect(400);
  });

  test('a challenge is for one ceremony: a registration challenge does not serve a sign-in or a second factor', async () => {
    const auth = authenticator();
    const agent = await twoFactorAgent(t.app, 'rp-purpose', 4005);
    await enrol(agent, auth);
    const options = await registrationOptions(agent);
    const assertion = auth.get({ challenge: options.challenge, rpId: 'localhost' });
    await agent.post('/api/passkeys/authentication').send(assertion).expect(400);
    await registrationOptions(agent);
    await agent.post('/api/passkeys/sign-in').send(assertion).expect(400);
  });
});

describe("a credential registered to A cannot complete B's login", () => {
  test('as the second factor: 401, counted as a failure, and B stays at the password stage', async () => {
    const alice = authenticator();
    await enrol(await twoFactorAgent(t.app, 'ab-alice', 4010), alice);
    const { agent: bob } = await withPasskey('ab-bob', 4011);
    const options = await secondFactorOptions(bob);
    // Alice's authenticator answers Bob's challenge with Alice's passkey.
    const res = await bob
      .post('/api/passkeys/authentication')
      .send(alice.get({ ...options, allowCredentials: [] }))
      .expect(401);
    expect(res.body).toEqual({ error: 'That passkey is not registered to this account.' });
    expect(await loggedInAt(bob)).toBe('/2fa');
    expect(await t.db.connection.collection('attempts').countDocuments({ key: /^token-failures:/ })).toBeGreaterThan(0);
  });

  test("as a sign-in: A's passkey presented as B's (B's user handle) is a 401", async () => {
    const alice = authenticator();
    await enrol(await twoFactorAgent(t.app, 'ab-alice2', 4012), alice);
    const bob = authenticator();
    await enrol(await twoFactorAgent(t.app, 'ab-bob2', 4013), bob);
    alice.credentials[0].userHandle = bob.credentials[0].userHandle;
    const visitor = client(t.app);
    const options = await signInOptions(visitor);
    const res = await visitor.post('/api/passkeys/sign-in').send(alice.get(options)).expect(401);
    expect(res.body).toEqual({ error: 'That passkey is not registered here.' });
    expect(await loggedInAt(visitor)).toBe('/login');
  });
});

describe('an assertion or attestation for another origin or RP ID is refused', () => {
  const forged = [
    ['another origin (a phishing page relaying the challenge)', { origin: 'https://accounts-security.example' }],
    ['another port of this host', { origin: 'http://localhost:1338' }],
    ['another RP ID', { rpId: 'evil.example' }],
  ] as const;
  const NOT_THIS_SITE = { error: 'This passkey response does not fit this site or this request.' };

  // One person with a passkey serves every case: each forgery is made on a copy of the authenticator.
  let auth: SoftAuthenticator;
  let agent: Client;
  beforeAll(async () => {
    auth = authenticator();
    agent = await twoFactorAgent(t.app, 'origins', 4020);
    await enrol(agent, auth);
  });
  const forger = (change: object) => Object.assign(Object.create(auth) as SoftAuthenticator, { opts: { ...auth.opts, ...change } });

  test.each(forged)('second factor, %s: 400', async (_what, change) => {
    const pending = await passwordLogin(t.app, 'origins');
    const options = await secondFactorOptions(pending);
    const res = await pending.post('/api/passkeys/authentication').send(forger(change).get(options)).expect(400);
    expect(res.body).toEqual(NOT_THIS_SITE);
    expect(await loggedInAt(pending)).toBe('/2fa');
  });

  test.each(forged)('sign-in, %s: 400', async (_what, change) => {
    const visitor = client(t.app);
    const options = await signInOptions(visitor);
    const res = await visitor.post('/api/passkeys/sign-in').send(forger(change).get(options)).expect(400);
    expect(res.body).toEqual(NOT_THIS_SITE);
    expect(await loggedInAt(visitor)).toBe('/login');
  });

  test.each(forged)('enrolment, %s: 400 and nothing stored', async (_what, change) => {
    const options = await registrationOptions(agent);
    const res = await agent.post('/api/passkeys/registration').send(authenticator(change).create(options)).expect(400);
    expect(res.body).toEqual(NOT_THIS_SITE);
    expect((await agent.get('/api/passkeys')).body.passkeys).toHaveLength(1);
  });

  test('the same authenticator, unforged, passes: the refusals were for the origin and RP ID alone', async () => {
    const pending = await passwordLogin(t.app, 'origins');
    const options = await secondFactorOptions(pending);
    await pending.post('/api/passkeys/authentication').send(auth.get(options)).expect(200);
  });
});

describe('attempt limits: passkey failures and wrong tokens share one budget per user', () => {
  test('3 wrong tokens and 2 bad passkey signatures lock the user out of both, until the window passes', async () => {
    const { auth, agent } = await withPasskey('lim-shared', 4030);
    authyScope().get('/protected/json/verify/0000000/4030').times(3).reply(401, replies.tokenInvalid);
    for (let i = 0; i < 3; i++) await agent.post('/api/accountsecurity/verify').send({ token: '0000000' }).expect(401);
    for (let i = 0; i < 2; i++) {
      const assertion = auth.get(await secondFactorOptions(agent));
      assertion.response.signature = flipLastByte(assertion.response.signature);
      const res = await agent.post('/api/passkeys/authentication').send(assertion).expect(401);
      expect(res.body).toEqual({ error: 'That passkey could not be verified.' });
    }
    // A valid passkey now: refused like a sixth token.
    const locked = await agent
      .post('/api/passkeys/authentication')
      .send(auth.get(await secondFactorOptions(agent)))
      .expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // No nock: Authy is not even asked for a token.
    await agent.post('/api/accountsecurity/verify').send({ token: '1234567' }).expect(429);

    clock += 15 * 60 * 1000 + 1000;
    await agent
      .post('/api/passkeys/authentication')
      .send(auth.get(await secondFactorOptions(agent)))
      .expect(200);
  });
});

describe('bad input: a clear 4xx naming the problem, never a 5xx', () => {
  const malformedShapes: [string, (a: Record<string, unknown>) => unknown, string][] = [
    ['an empty body', () => ({}), 'id'],
    ['an array for a body', () => ['credential'], 'id'],
    ['an operator as the id', (a) => ({ ...a, id: { $ne: null } }), 'id'],
    ['an id that is not base64url', (a) => ({ ...a, id: 'a+b/=', rawId: 'a+b/=' }), 'id'],
    ['the wrong type', (a) => ({ ...a, type: 'password' }), 'type'],
    ['no response', (a) => ({ ...a, response: undefined }), 'response'],
    ['a response that is an array', (a) => ({ ...a, response: ['x'] }), 'response'],
    ['a signature that is a number', (a) => ({ ...a, response: { ...(a.response as object), signature: 7 } }), 'response'],
    ['an id of 2 kB', (a) => ({ ...a, id: 'A'.repeat(2000) }), 'id'],
  ];

  describe('shapes', () => {
    // Refused before anything else happens, so one session serves every case.
    let user: Awaited<ReturnType<typeof withPasskey>>;
    let assertion: Record<string, unknown>;
    beforeAll(async () => {
      user = await withPasskey('bad-shapes', 4040);
      assertion = user.auth.get(await secondFactorOptions(user.agent));
    });

    test.each(malformedShapes)('an assertion with %s is a 400 naming the field', async (_what, mutate, field) => {
      const res = await user.agent.post('/api/passkeys/authentication').send(mutate(assertion) as object);
      expect({ status: res.status, field: res.body.field }).toEqual({ status: 400, field });
      expect(res.body.error).toMatch(/^The passkey response is malformed/);
    });

    test('after all of them the challenge is still pending, and the real assertion passes', async () => {
      await user.agent.post('/api/passkeys/authentication').send(assertion).expect(200);
    });
  });

  test('well-formed but unusable: each a 4xx, and the right assertion still passes after them', async () => {
    const { auth, agent } = await withPasskey('bad-deep', 4041);
    const attempts: [string, (a: ReturnType<SoftAuthenticator['get']>) => unknown, number][] = [
      ['authenticator data of 3 bytes', (a) => ({ ...a, response: { ...a.response, authenticatorData: 'AAAA' } }), 400],
      ['client data that is not JSON', (a) => ({ ...a, response: { ...a.response, clientDataJSON: 'bm90IGpzb24' } }), 400],
      ['a signature that is not DER', (a) => ({ ...a, response: { ...a.response, signature: 'AAAA' } }), 400],
      ['id and rawId that differ', (a) => ({ ...a, rawId: 'AAAA' }), 400],
      ['an unknown credential', (a) => ({ ...a, id: 'AAAAAAAAAAAAAAAAAAAAAA', rawId: 'AAAAAAAAAAAAAAAAAAAAAA' }), 401],
      [
        'the client data of a registration',
        (a) => {
          const data = JSON.parse(Buffer.from(a.response.clientDataJSON, 'base64url').toString()) as Record<string, unknown>;
          const clientDataJSON = Buffer.from(JSON.stringify({ ...data, type: 'webauthn.create' })).toString('base64url');
          return { ...a, response: { ...a.response, clientDataJSON } };
        },
        400,
      ],
    ];
    for (const [what, mutate, status] of attempts) {
      // Each in a fresh window: more than five failures would be a 429.
      clock += 15 * 60 * 1000 + 1000;
      const res = await agent.post('/api/passkeys/authentication').send(mutate(auth.get(await secondFactorOptions(agent))) as object);
      expect({ what, status: res.status, body: typeof res.body.error }).toEqual({ what, status, body: 'string' });
    }
    await agent
      .post('/api/passkeys/authentication')
      .send(auth.get(await secondFactorOptions(agent)))
      .expect(200);
  });

  test('attestations: malformed CBOR, another ceremony’s client data, a missing attestation object: 400, nothing stored', async () => {
    const agent = await twoFactorAgent(t.app, 'bad-reg', 4042);
    const auth = authenticator();
    const cases: ((r: ReturnType<SoftAuthenticator['create']>) => unknown)[] = [
      (r) => ({ ...r, response: { ...r.response, attestationObject: 'AAAA' } }),
      (r) => ({ ...r, response: { ...r.response, attestationObject: 'oWNmbXRkbm9uZQ' } }),
      (r) => ({ ...r, response: { ...r.response, clientDataJSON: 'e30' } }),
      (r) => ({ ...r, response: { clientDataJSON: r.response.clientDataJSON } }),
      (r) => ({ ...r, type: 'public-key ' }),
    ];
    for (const mutate of cases) {
      const res = await agent.post('/api/passkeys/registration').send(mutate(auth.create(await registrationOptions(agent))) as object);
      expect(res.status).toBe(400);
      expect(typeof res.body.error).toBe('string');
    }
    // Unknown transports are dropped, not refused.
    const odd = auth.create(await registrationOptions(agent));
    odd.response.transports = ['internal', 'carrier-pigeon'];
    await agent.post('/api/passkeys/registration').send(odd).expect(200);
    expect((await t.db.connection.collection('passkeys').findOne({ credentialId: odd.id }))?.transports).toEqual(['internal']);
  });

  test('40 random mutations of a real assertion, each answering a fresh challenge: zero 5xx', async () => {
    const { auth, agent } = await withPasskey('bad-fuzz', 4043);
    const template = auth.get(await secondFactorOptions(agent));
    const routes = ['/api/passkeys/authentication', '/api/passkeys/sign-in', '/api/passkeys/registration'];
    let seed = 20260601;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const values = [null, 1, -1, true, '', 'AAAA', '+/=', 'é', 'x'.repeat(3000), [], {}, { $ne: null }, ['AAAA']];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 40; i++) {
      const body = structuredClone(template) as unknown as Record<string, Record<string, unknown>>;
      const where = pick([
        'id',
        'rawId',
        'type',
        'response',
        'clientExtensionResults',
        'response.clientDataJSON',
        'response.signature',
        'response.authenticatorData',
        'response.userHandle',
      ]);
      const [outer, inner] = where.split('.');
      if (inner) body[outer][inner] = pick(values);
      else (body as Record<string, unknown>)[outer] = pick(values);
      const route = pick(routes);
      // A pending challenge, so that what passes the shape check reaches the library.
      await (route.includes('sign-in') ? signInOptions(agent) : secondFactorOptions(agent)).catch(() => undefined);
      const res = await agent.post(route).send(body);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) throw new Error(`request ${i}: ${route} ${where} → ${res.status} ${res.text}`);
    }
    expect(statuses.get(400)).toBeGreaterThan(15);
  });
});

function flipLastByte(base64url: string): string {
  const bytes = Buffer.from(base64url, 'base64url');
  bytes[bytes.length - 1] ^= 0xff;
  return bytes.toString('base64url');
}
