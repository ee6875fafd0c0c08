// CSRF: every state-changing /api request needs the X-XSRF-TOKEN header matching the
// XSRF-TOKEN cookie, bound to the caller's session (or, before one exists, signed by us).
import request from 'supertest';
import { anonymousToken, CSRF_COOKIE, sessionToken } from '../../server/http/csrf';
import { AUTHY_CALLBACK_PATH as CALLBACK_PATH } from '../../server/providers/authy/authy-provider';
import { TEST_SESSION_SECRET, useTestApp } from '../support/app';
import { client, STATE_CHANGING_POSTS } from '../support/http';
import { authenticator, enrol, twoFactorAgent } from '../support/passkeys';
import { anotherSession, signedIn } from '../support/account';
import { registeredAgent } from '../support/users';

const t = useTestApp();

const cookieValue = (res: request.Response, name: string) =>
  ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? [])
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0]
    .split('=')[1];

test.each(STATE_CHANGING_POSTS)('POST %s without a token is a 403 that says so', async (url) => {
  const res = await request(t.app).post(url).send({}).expect(403);
  expect(res.body.error).toMatch(/CSRF/);
  expect(res.headers['x-xsrf-rejected']).toBe('true');
});

test.each(['patch', 'delete'] as const)('%s /api/passkeys/:id (rename, remove) without a token is a 403', async (method) => {
  const { agent } = await registeredAgent(t.app, `csrf-${method}`, 9005);
  const res = await agent.agent[method]('/api/passkeys/some-id').send({ name: 'x' }).expect(403);
  expect(res.body.error).toMatch(/CSRF/);
  // With its token, the same request gets past CSRF (and is refused for the missing 2FA).
  await agent[method]('/api/passkeys/some-id')
    .send({ name: 'x' })
    .expect(403, { error: 'Please complete two-factor authentication first.' });
});

test('the read-only POSTs (loggedIn, test) need no token', async () => {
  await request(t.app).post('/api/loggedIn').expect(200, { url: '/login' });
  await request(t.app).post('/api/test').expect(200, { connected: true });
});

test('a stale session token after the session ended is refused, with a fresh token to retry with', async () => {
  const { agent } = await registeredAgent(t.app, 'csrf-stale', 9004);
  await agent.post('/api/logout').expect(200);
  // The logout response already replaced the cookie; a page holding the old one is refused once.
  const stale = sessionToken(TEST_SESSION_SECRET, 'ended-session-id');
  const refused = await request(t.app)
    .post('/api/login')
    .set('Cookie', `${CSRF_COOKIE}=${stale}`)
    .set('X-XSRF-TOKEN', stale)
    .send({})
    .expect(403);
  const fresh = cookieValue(refused, CSRF_COOKIE)!;
  expect(fresh).toMatch(/^a\./);
  await request(t.app)
    .post('/api/login')
    .set('Cookie', `${CSRF_COOKIE}=${fresh}`)
    .set('X-XSRF-TOKEN', fresh)
    .send({ username: 'csrf-stale', password: 'correct horse battery' })
    .expect(200);
});

test('a page load hands out a readable XSRF-TOKEN cookie', async () => {
  const res = await request(t.app).get('/login').expect(200);
  const set = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith(`${CSRF_COOKIE}=`))!;
  expect(set).toBeDefined();
  expect(set).not.toMatch(/HttpOnly/);
  expect(set).toMatch(/SameSite=Lax/);
});

test('a header that does not match the cookie is a 403', async () => {
  const cookie = anonymousToken(TEST_SESSION_SECRET);
  const other = anonymousToken(TEST_SESSION_SECRET);
  await request(t.app)
    .post('/api/verification/start')
    .set('Cookie', `${CSRF_COOKIE}=${cookie}`)
    .set('X-XSRF-TOKEN', other)
    .send({})
    .expect(403);
  await request(t.app)
    .post('/api/verification/start')
    .set('Cookie', `${CSRF_COOKIE}=${cookie}`)
    .set('X-XSRF-TOKEN', cookie)
    .send({})
    .expect(400);
});

test('a forged token (not signed with our secret) is a 403 even when cookie and header agree', async () => {
  const forged = anonymousToken('some-other-secret-0123456789abcdef');
  await request(t.app)
    .post('/api/verification/start')
    .set('Cookie', `${CSRF_COOKIE}=${forged}`)
    .set('X-XSRF-TOKEN', forged)
    .send({})
    .expect(403);
  const tampered = 'a.nonce.' + 'A'.repeat(43);
  await request(t.app)
    .post('/api/verification/start')
    .set('Cookie', `${CSRF_COOKIE}=${tampered}`)
    .set('X-XSRF-TOKEN', tampered)
    .send({})
    .expect(403);
});

test("another session's token is a 403; a logged-in session needs its own", async () => {
  const alice = await registeredAgent(t.app, 'csrf-alice', 9001);
  const bob = await registeredAgent(t.app, 'csrf-bob', 9002);
  const aliceToken = (await import('cookiejar')).CookieAccessInfo.All;
  const aliceCsrf = alice.agent.agent.jar.getCookie(CSRF_COOKIE, aliceToken)!.value;
  const bobCsrf = bob.agent.agent.jar.getCookie(CSRF_COOKIE, aliceToken)!.value;
  expect(aliceCsrf).toMatch(/^s\./);
  expect(aliceCsrf).not.toBe(bobCsrf);
  // Bob's agent with Alice's token in header and cookie.
  await bob.agent.agent
    .post('/api/accountsecurity/sms')
    .set('Cookie', `${CSRF_COOKIE}=${aliceCsrf}`)
    .set('X-XSRF-TOKEN', aliceCsrf)
    .expect(403);
  // A pre-session token no longer passes once logged in.
  const anon = anonymousToken(TEST_SESSION_SECRET);
  await bob.agent.agent
    .post('/api/accountsecurity/verify')
    .set('Cookie', `${CSRF_COOKIE}=${anon}`)
    .set('X-XSRF-TOKEN', anon)
    .send({})
    .expect(403);
  // Bob's own token passes CSRF (and the request then fails on its missing token field).
  await bob.agent.post('/api/accountsecurity/verify').send({}).expect(400);
});

test('the token changes with the session id (login) and is bound to it', async () => {
  const visitor = client(t.app);
  await registeredAgent(t.app, 'csrf-carol', 9003);
  const before = cookieValue(await visitor.get('/login'), CSRF_COOKIE)!;
  expect(before).toMatch(/^a\./);
  const login = await visitor.post('/api/login').send({ username: 'csrf-carol', password: 'correct horse battery' }).expect(200);
  const after = cookieValue(login, CSRF_COOKIE)!;
  const sid = decodeURIComponent(cookieValue(login, 'asq.sid')!);
  expect(after).toBe(sessionToken(TEST_SESSION_SECRET, sid.slice(2, sid.lastIndexOf('.'))));
  await visitor
    .post('/api/loggedIn')
    .expect(200)
    .expect((r) => expect(r.body).toMatchObject({ url: '/2fa' }));
});

test('a link or a form on another site cannot log anyone out, even in the middle of 2FA', async () => {
  const { agent } = await registeredAgent(t.app, 'csrf-logout', 9006);
  // SameSite=Lax sends the cookie along with a top-level GET from any site: Sec-Fetch-Site says where it began.
  for (const site of ['cross-site', 'same-site', undefined]) {
    const link = agent.agent.get('/api/logout');
    if (site) link.set('Sec-Fetch-Site', site);
    expect((await link.expect(403)).body.error).toMatch(/POST \/api\/logout/);
  }
  // POST needs the token, as every state-changing request.
  await agent.agent.post('/api/logout').expect(403);
  expect((await agent.post('/api/loggedIn')).body).toMatchObject({ url: '/2fa' });
});

test('GETs and the signed Authy callback need no token', async () => {
  await request(t.app).get('/api/logout').set('Sec-Fetch-Site', 'same-origin').expect(200);
  // The callback is refused for its missing signature (401), not for CSRF (403).
  await request(t.app).post(CALLBACK_PATH).send({}).expect(401);
});

test('the account’s DELETEs (forget browsers, sign a session out) without the token are 403s and change nothing', async () => {
  // A victim past 2FA just now (so every change would act), with a remembered browser and a second session.
  const victim = await signedIn(t.app, 'csrf-account', 9300);
  await victim.post('/api/account/browsers').expect(200);
  const other = await anotherSession(t.app, 'csrf-account', 9300);
  const [browser] = (await victim.get('/api/account/browsers').expect(200)).body.browsers as { id: string }[];
  const session = ((await victim.get('/api/account/sessions').expect(200)).body.sessions as { id: string; current: boolean }[]).find(
    (s) => !s.current,
  )!;
  for (const url of ['/api/account/browsers', `/api/account/browsers/${browser.id}`, `/api/account/sessions/${session.id}`]) {
    const res = await victim.agent.delete(url).expect(403);
    expect(res.body.error).toMatch(/CSRF/);
  }
  expect((await victim.get('/api/account/browsers').expect(200)).body.browsers).toHaveLength(1);
  await other.get('/api/protected').expect(200);
  // With the token the same requests act: the 403s above were the CSRF check's.
  await victim.delete(`/api/account/sessions/${session.id}`).expect(200);
  await victim.delete(`/api/account/browsers/${browser.id}`).expect(200);
  await other.get('/api/protected').expect(401);
});

describe('whatever the case of the path or a trailing slash (Express routes them all the same)', () => {
  const VARIANTS = [
    '/API/accountsecurity/sms',
    '/api/AccountSecurity/SMS',
    '/api/accountsecurity/sms/',
    '/API/ACCOUNTSECURITY/VOICE/',
    '/Api/Verification/Start',
    '/api/user/register/',
    '/API/LOGIN',
  ];

  test.each(VARIANTS)('POST %s without a token is a 403, and nothing is sent', async (url) => {
    // A logged-in victim's browser, tricked into posting (it sends the session cookie, not the header).
    const { agent } = await registeredAgent(t.app, `csrf-case-${VARIANTS.indexOf(url)}`, 9100 + VARIANTS.indexOf(url));
    const res = await agent.agent.post(url).send({ phone_number: '415-555-2671', country_code: '1', via: 'sms' });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatch(/CSRF/);
  });

  test('the read-only POSTs stay exempt in any case; the signed callback stays exempt (401 for a missing signature)', async () => {
    await request(t.app).post('/API/LOGGEDIN/').expect(200, { url: '/login' });
    for (const url of [CALLBACK_PATH.toUpperCase(), `${CALLBACK_PATH}/`, '/API/accountsecurity/OneTouch/Callback/']) {
      await request(t.app).post(url).send({ uuid: 'x', status: 'approved' }).expect(401);
      await request(t.app).post(url).type('form').send('uuid=x&status=approved').expect(401);
    }
  });

  test('PATCH and DELETE of a real passkey without the token are 403s and change nothing', async () => {
    // A victim past 2FA just now (so both routes would act) with one passkey.
    const victim = await twoFactorAgent(t.app, 'csrf-passkey', 9200);
    const passkey = await enrol(victim, authenticator());
    for (const url of [`/api/passkeys/${passkey.id}`, `/API/Passkeys/${passkey.id}/`]) {
      const renamed = await victim.agent.patch(url).send({ name: 'forged' }).expect(403);
      expect(renamed.body.error).toMatch(/CSRF/);
      const removed = await victim.agent.delete(url).expect(403);
      expect(removed.body.error).toMatch(/CSRF/);
    }
    expect((await victim.get('/api/passkeys').expect(200)).body.passkeys).toEqual([passkey]);
    // With the token the same requests act: the 403s above were the CSRF check's.
    await victim.patch(`/API/Passkeys/${passkey.id}/`).send({ name: 'mine' }).expect(200);
    await victim.delete(`/api/passkeys/${passkey.id}`).expect(200, { success: true });
  });
});
