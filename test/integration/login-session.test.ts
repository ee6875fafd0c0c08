// The login state: one record per login, its stage, and sessions stored in the older shape
// (loggedIn / authy / ph_verified booleans), which are read once and rewritten.
import { createHmac, randomBytes } from 'node:crypto';
import request from 'supertest';
import { CSRF_COOKIE, sessionToken } from '../../server/http/csrf';
import { SESSIONS_COLLECTION } from '../../server/http/session';
import { TEST_SESSION_SECRET, useTestApp } from '../support/app';
import { get, post } from '../support/http';
import { registeredAgent } from '../support/users';

const t = useTestApp();
const sessions = () => t.db.connection.collection<{ _id: string; session: Record<string, unknown>; expires: Date }>(SESSIONS_COLLECTION);

/** Stores `fields` as a session, as an older version of the app wrote it, and returns its cookie. */
async function storeSession(fields: Record<string, unknown>): Promise<string> {
  return (await storeSessionWithId(fields)).cookie;
}

async function storeSessionWithId(fields: Record<string, unknown>): Promise<{ sid: string; cookie: string }> {
  const sid = randomBytes(18).toString('base64url');
  const expires = new Date(Date.now() + 30 * 60 * 1000);
  await sessions().insertOne({
    _id: sid,
    session: { cookie: { originalMaxAge: 30 * 60 * 1000, expires, httpOnly: true, path: '/', sameSite: 'lax', secure: false }, ...fields },
    expires,
  });
  // express-session's signed cookie: s:<sid>.<base64 HMAC-SHA256 without padding>
  const mac = createHmac('sha256', TEST_SESSION_SECRET).update(sid).digest('base64').replace(/=+$/, '');
  return { sid, cookie: `asq.sid=${encodeURIComponent(`s:${sid}.${mac}`)}` };
}

describe('sessions stored in the old shape', () => {
  test('a login that passed 2FA is read as complete, then stored in the new shape', async () => {
    const { agent } = await registeredAgent(t.app, 'oldshape', 1201);
    const user = await t.db.connection.collection('users').findOne({ username: 'oldshape' });
    const cookie = await storeSession({
      loggedIn: true,
      authy: true,
      ph_verified: false,
      userId: String(user!._id),
      username: 'oldshape',
      createdAt: Date.now(),
    });
    await agent.post('/api/logout');

    expect((await post(t.app, '/api/loggedIn').set('Cookie', cookie).expect(200)).body).toMatchObject({ url: '/protected' });
    const content = await get(t.app, '/api/protected').set('Cookie', cookie).expect(200);
    expect(content.body.username).toBe('oldshape');

    const stored = await sessions().findOne({ 'session.login.username': 'oldshape' });
    expect(stored?.session).toMatchObject({ login: { stage: 'complete', username: 'oldshape' } });
    for (const old of ['loggedIn', 'authy', 'ph_verified', 'userId', 'username', 'createdAt'])
      expect(stored?.session).not.toHaveProperty(old);
  });

  test('a login with 2FA pending stays pending', async () => {
    const cookie = await storeSession({ loggedIn: true, authy: false, userId: 'x', username: 'pending-old', createdAt: Date.now() });
    expect((await post(t.app, '/api/loggedIn').set('Cookie', cookie).expect(200)).body).toMatchObject({ url: '/2fa' });
    await get(t.app, '/api/protected').set('Cookie', cookie).expect(403);
  });

  test('"2FA passed" without "logged in" (a state the new shape cannot hold) is anonymous', async () => {
    const cookie = await storeSession({ loggedIn: false, authy: true, userId: 'x', username: 'impossible' });
    expect((await post(t.app, '/api/loggedIn').set('Cookie', cookie).expect(200)).body).toEqual({ url: '/login' });
    await get(t.app, '/api/protected').set('Cookie', cookie).expect(401);
  });

  test('a verified phone is carried over; a number without its flag is not', async () => {
    const verified = await storeSession({ ph_verified: true, verifiedPhone: '+1 4155550100' });
    await get(t.app, '/verified').set('Cookie', verified).expect(200);
    const unflagged = await storeSession({ ph_verified: false, verifiedPhone: '+1 4155550100' });
    await get(t.app, '/verified').set('Cookie', unflagged).expect(302).expect('Location', '/verification');
  });

  test('a push request kept as push.uuid (before its id had a neutral name) still answers, and is stored as push.id', async () => {
    const login = { userId: 'x', username: 'old-push', stage: 'password', startedAt: Date.now() };
    const { sid, cookie } = await storeSessionWithId({ login, push: { uuid: 'c0ffee00-0000-4000-8000-000000000123', status: 'denied' } });
    const csrf = sessionToken(TEST_SESSION_SECRET, sid);
    // The final answer comes from the session: no database record and no upstream call is needed.
    const res = await request(t.app)
      .post('/api/accountsecurity/onetouchstatus')
      .set('Cookie', `${cookie}; ${CSRF_COOKIE}=${csrf}`)
      .set('X-XSRF-TOKEN', csrf)
      .expect(200);
    expect(res.body).toEqual({ success: true, approval_request: { uuid: 'c0ffee00-0000-4000-8000-000000000123', status: 'denied' } });
    const stored = await sessions().findOne({ 'session.login.username': 'old-push' });
    expect(stored?.session.push).toEqual({ id: 'c0ffee00-0000-4000-8000-000000000123', status: 'denied' });
  });

  test('a session saved by the request that moved its expiry on keeps what was saved (20 at once)', async () => {
    // Each read moves the stored expiry on (no lastModified yet) while the request saves the upgraded push.
    const answers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const login = { userId: 'x', username: `old-push-${i}`, stage: 'password', startedAt: Date.now() };
        const { sid, cookie } = await storeSessionWithId({
          login,
          push: { uuid: `c0ffee00-0000-4000-8000-0000000001${10 + i}`, status: 'denied' },
        });
        const csrf = sessionToken(TEST_SESSION_SECRET, sid);
        await request(t.app)
          .post('/api/accountsecurity/onetouchstatus')
          .set('Cookie', `${cookie}; ${CSRF_COOKIE}=${csrf}`)
          .set('X-XSRF-TOKEN', csrf)
          .expect(200);
        return (await sessions().findOne({ _id: sid }))?.session.push;
      }),
    );
    expect(answers).toEqual(
      Array.from({ length: 20 }, (_, i) => ({ id: `c0ffee00-0000-4000-8000-0000000001${10 + i}`, status: 'denied' })),
    );
  });

  test('an old login past the absolute limit ends', async () => {
    const cookie = await storeSession({
      loggedIn: true,
      authy: true,
      userId: 'x',
      username: 'too-old',
      createdAt: Date.now() - 9 * 60 * 60 * 1000,
    });
    expect((await post(t.app, '/api/loggedIn').set('Cookie', cookie).expect(200)).body).toEqual({ url: '/login' });
  });
});

test('a session holds one login record: stage password after login, complete only through a second factor', async () => {
  const { agent } = await registeredAgent(t.app, 'onerecord', 1202);
  const stored = await sessions().findOne({ 'session.login.username': 'onerecord' });
  expect(Object.keys(stored!.session).sort()).toEqual(['cookie', 'login']);
  // The login that registered may enrol the soft token until it passes 2FA.
  expect(stored!.session.login).toEqual({
    userId: expect.any(String),
    username: 'onerecord',
    stage: 'password',
    startedAt: expect.any(Number),
    enrolling: true,
  });
  await agent.get('/api/protected').expect(403);
});
