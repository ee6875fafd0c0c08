// CSRF: every state-changing /api request needs the X-XSRF-TOKEN header matching the
// XSRF-TOKEN cookie, bound to the caller's session (or, before one exists, signed by us).
import request from 'supertest';
import { anonymousToken, CSRF_COOKIE, sessionToken } from '../../server/http/csrf';
import { CALLBACK_PATH } from '../../server/twofa/callback.routes';
import { createTestApp, TEST_SESSION_SECRET, type TestApp } from '../support/app';
import { client } from '../support/http';
import { registeredAgent } from '../support/users';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const STATE_CHANGING = [
  '/api/user/register',
  '/api/login',
  '/api/loggedIn',
  '/api/accountsecurity/sms',
  '/api/accountsecurity/voice',
  '/api/accountsecurity/verify',
  '/api/accountsecurity/onetouch',
  '/api/accountsecurity/onetouchstatus',
  '/api/verification/start',
  '/api/verification/verify',
  '/api/test',
];

const cookieValue = (res: request.Response, name: string) =>
  ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? []).find((c) => c.startsWith(`${name}=`))?.split(';')[0].split('=')[1];

test.each(STATE_CHANGING)('POST %s without a token is a 403', async (url) => {
  const res = await request(t.app).post(url).send({}).expect(403);
  expect(res.body.error).toMatch(/CSRF/);
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
  await request(t.app).post('/api/test').set('Cookie', `${CSRF_COOKIE}=${cookie}`).set('X-XSRF-TOKEN', other).expect(403);
  await request(t.app).post('/api/test').set('Cookie', `${CSRF_COOKIE}=${cookie}`).set('X-XSRF-TOKEN', cookie).expect(200);
});

test('a forged token (not signed with our secret) is a 403 even when cookie and header agree', async () => {
  const forged = anonymousToken('some-other-secret-0123456789abcdef');
  await request(t.app).post('/api/test').set('Cookie', `${CSRF_COOKIE}=${forged}`).set('X-XSRF-TOKEN', forged).expect(403);
  const tampered = 'a.nonce.' + 'A'.repeat(43);
  await request(t.app).post('/api/test').set('Cookie', `${CSRF_COOKIE}=${tampered}`).set('X-XSRF-TOKEN', tampered).expect(403);
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
  await bob.agent.agent.post('/api/test').set('Cookie', `${CSRF_COOKIE}=${aliceCsrf}`).set('X-XSRF-TOKEN', aliceCsrf).expect(403);
  // A pre-session token no longer passes once logged in.
  const anon = anonymousToken(TEST_SESSION_SECRET);
  await bob.agent.agent.post('/api/test').set('Cookie', `${CSRF_COOKIE}=${anon}`).set('X-XSRF-TOKEN', anon).expect(403);
  await bob.agent.post('/api/test').expect(200, { connected: true });
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
  await visitor.post('/api/loggedIn').expect(200, { url: '/2fa' });
});

test('GETs and the signed Authy callback need no token', async () => {
  await request(t.app).get('/api/logout').expect(200);
  // The callback is refused for its missing signature (401), not for CSRF (403).
  await request(t.app).post(CALLBACK_PATH).send({}).expect(401);
});
