// A request in flight at logout (or at a new session id) must not bring the old session back
// when it saves afterwards: the copied cookie must stay dead. The in-flight request is a push
// (/onetouch), held inside its Authy call until the session was ended.
import type { Interceptor } from 'nock';
import request from 'supertest';
import { sessionToken } from '../../server/http/csrf';
import { TEST_SESSION_SECRET, useTestApp } from '../support/app';
import { authyScope, replies } from '../support/authy-nock';
import { heldSessionCookie, registeredAgent, sessionCookie } from '../support/users';

type Agent = Awaited<ReturnType<typeof registeredAgent>>['agent'];

const t = useTestApp();
const sessions = () => t.db.connection.collection('sessions');
const sidOf = (cookie: string) => {
  const value = decodeURIComponent(cookie.split('=')[1]);
  return value.slice(2, value.lastIndexOf('.'));
};

/** Authy's answer to `interceptor`, held until `release()`; `asked` settles once the app asked. */
function heldReply(interceptor: Interceptor, answer: () => [number, Record<string, unknown>]) {
  let reached!: () => void;
  let release!: () => void;
  const asked = new Promise<void>((resolve) => (reached = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  interceptor.reply(async () => {
    reached();
    await gate;
    return answer();
  });
  return { asked, release };
}

const heldPush = (authyId: number, uuid: string) =>
  heldReply(authyScope().post(`/onetouch/json/users/${authyId}/approval_requests`), () => [200, replies.approvalCreated(uuid)]);

/** The session's headers (cookie and CSRF token), after they sent push request `uuid`. */
async function pushSent(cookie: string, authyId: number, uuid: string) {
  const token = sessionToken(TEST_SESSION_SECRET, sidOf(cookie));
  const headers = { Cookie: `${cookie}; XSRF-TOKEN=${token}`, 'X-XSRF-TOKEN': token };
  authyScope().post(`/onetouch/json/users/${authyId}/approval_requests`).reply(200, replies.approvalCreated(uuid));
  await request(t.app).post('/api/accountsecurity/onetouch').set(headers).expect(200);
  return headers;
}

/** A status poll of push `uuid` whose Authy answer is held while `agent` logs out and `meanwhile` runs. */
async function statusPolledAcrossLogout(
  headers: Record<string, string>,
  agent: Agent,
  uuid: string,
  status: 'pending' | 'approved',
  meanwhile = async () => {},
) {
  const held = heldReply(authyScope().get(`/onetouch/json/approval_requests/${uuid}`), () => [200, replies.approvalStatus(uuid, status)]);
  const polled = request(t.app)
    .post('/api/accountsecurity/onetouchstatus')
    .set(headers)
    .then((r) => r);
  await held.asked;
  await agent.post('/api/logout').expect(200);
  await meanwhile();
  held.release();
  return polled;
}

/** A push request sent with a copied session cookie (and its CSRF token), held at Authy; resolves once Authy was asked. */
async function pushInFlight(cookie: string, authyId: number, uuid: string) {
  const push = heldPush(authyId, uuid);
  const token = sessionToken(TEST_SESSION_SECRET, sidOf(cookie));
  const done = request(t.app)
    .post('/api/accountsecurity/onetouch')
    .set('Cookie', `${cookie}; XSRF-TOKEN=${token}`)
    .set('X-XSRF-TOKEN', token)
    .then((r) => r);
  const early = done.then((r) => Promise.reject(new Error(`the push request ended (${r.status}) before reaching Authy`)));
  await Promise.race([push.asked, early]);
  return {
    finish: async () => {
      push.release();
      expect((await done).status).toBe(200);
    },
  };
}

async function passedTwoFactor(username: string, authyId: number) {
  const { agent } = await registeredAgent(t.app, username, authyId);
  authyScope().get(`/protected/json/verify/7654321/${authyId}`).reply(200, replies.tokenValid);
  const verified = await agent.post('/api/accountsecurity/verify').send({ token: '7654321' }).expect(200);
  return { agent, cookie: sessionCookie(verified)! };
}

test('logout while a push request is in flight: the copied cookie never reaches /api/protected again', async () => {
  const { agent, cookie } = await passedTwoFactor('race-logout', 9601);
  await request(t.app).get('/api/protected').set('Cookie', cookie).expect(200);

  const push = await pushInFlight(cookie, 9601, 'race-uuid-1');
  await agent.post('/api/logout').expect(200);
  expect(await sessions().countDocuments({ _id: sidOf(cookie) as never })).toBe(0);
  await push.finish();

  expect(await sessions().countDocuments({ _id: sidOf(cookie) as never })).toBe(0);
  for (let i = 0; i < 4; i++) await request(t.app).get('/api/protected').set('Cookie', cookie).expect(401);
});

test('a request in flight across a new session id (2FA passed) cannot bring back the old id', async () => {
  const { agent } = await registeredAgent(t.app, 'race-regen', 9602);
  const oldCookie = heldSessionCookie(agent)!;

  const push = await pushInFlight(oldCookie, 9602, 'race-uuid-2');
  authyScope().get('/protected/json/verify/7654321/9602').reply(200, replies.tokenValid);
  await agent.post('/api/accountsecurity/verify').send({ token: '7654321' }).expect(200);
  await push.finish();

  expect(await sessions().countDocuments({ _id: sidOf(oldCookie) as never })).toBe(0);
  const probe = await request(t.app).post('/api/loggedIn').set('Cookie', oldCookie).expect(200);
  expect(probe.body).toEqual({ url: '/login' });
});

test('a request that only touches its session (a pending push status) while logout ends it: answered whole, the id stays dead', async () => {
  const { agent, cookie } = await passedTwoFactor('race-touch', 9603);
  const headers = await pushSent(cookie, 9603, 'race-uuid-3');
  // Last written long ago, so the store moves its expiry on when the next request reads it.
  await sessions().updateOne({ _id: sidOf(cookie) as never }, { $set: { lastModified: new Date(Date.now() - 10 * 60 * 1000) } });

  const res = await statusPolledAcrossLogout(headers, agent, 'race-uuid-3', 'pending');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ success: true, approval_request: { uuid: 'race-uuid-3', status: 'pending' } });
  expect(await sessions().countDocuments({ _id: sidOf(cookie) as never })).toBe(0);
  await request(t.app).get('/api/protected').set('Cookie', cookie).expect(401);
});

test('a push approved while logout happens: the request in flight gets a 401, not a new session', async () => {
  const { agent } = await registeredAgent(t.app, 'race-approve', 9604);
  const cookie = heldSessionCookie(agent)!;
  const headers = await pushSent(cookie, 9604, 'race-uuid-4');

  let before = 0;
  const res = await statusPolledAcrossLogout(headers, agent, 'race-uuid-4', 'approved', async () => {
    before = await sessions().countDocuments({ 'session.login.username': 'race-approve' });
  });
  expect(res.status).toBe(401);
  // No new session: at most the old (dead) id's cookie renewed.
  expect(await sessions().countDocuments({ 'session.login.username': 'race-approve' })).toBe(before);
  for (const c of [cookie, sessionCookie(res) ?? cookie]) {
    await request(t.app).get('/api/protected').set('Cookie', c).expect(401);
    expect((await request(t.app).post('/api/loggedIn').set('Cookie', c).expect(200)).body).toEqual({ url: '/login' });
  }
});
