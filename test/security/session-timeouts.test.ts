// A login lasts 30 minutes idle (rolling: the stored expiry moves on with use) and 8 hours at most,
// whatever the activity.
import { useTestApp } from '../support/app';
import { client } from '../support/http';
import { until } from '../support/server-process';
import { heldSessionCookie, registeredAgent, sessionCookie } from '../support/users';

let clock = Date.now();
const t = useTestApp({ now: () => clock });

const sessions = () => t.db.connection.collection('sessions');

test('the cookie ends with the browser and is sent only for a new id; the stored expiry rolls: 30 idle minutes', async () => {
  const { agent } = await registeredAgent(t.app, 'idle-cookie');
  const stored = () => sessions().findOne({ 'session.login.username': 'idle-cookie' });
  const aheadMs = async () => (await stored())!.expires.getTime() - Date.now();
  // A login's new id is sent, without an expiry of its own.
  const login = await agent.post('/api/login').send({ username: 'idle-cookie', password: 'correct horse battery' }).expect(200);
  const setCookie = (login.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('asq.sid='))!;
  expect(setCookie).toMatch(/; HttpOnly/);
  expect(setCookie).not.toMatch(/Expires|Max-Age/i);
  const cookie = heldSessionCookie(agent);
  expect(setCookie.startsWith(`${cookie!};`)).toBe(true);
  expect(await aheadMs()).toBeGreaterThan(29 * 60 * 1000);
  expect(await aheadMs()).toBeLessThanOrEqual(30 * 60 * 1000 + 1000);

  // An unchanged session: no cookie in the answer, and (written under a minute ago) no write.
  const before = (await stored())!;
  const res = await agent.post('/api/loggedIn').expect(200);
  expect(sessionCookie(res)).toBeUndefined();
  expect((await stored())!.expires).toEqual(before.expires);

  // Used after more than a minute: its expiry moves on to 30 minutes from this use.
  await sessions().updateOne(
    { _id: before._id },
    { $set: { lastModified: new Date(Date.now() - 2 * 60 * 1000), expires: new Date(Date.now() + 5 * 60 * 1000) } },
  );
  await agent.post('/api/loggedIn').expect(200, { url: '/2fa', username: 'idle-cookie' });
  await until('the expiry moved on', async () => (await aheadMs()) > 29 * 60 * 1000);
  expect(await aheadMs()).toBeLessThanOrEqual(30 * 60 * 1000 + 1000);
  expect(heldSessionCookie(agent)).toBe(cookie);
});

test('after 30 idle minutes the stored session has expired and the visitor is logged out', async () => {
  const { agent } = await registeredAgent(t.app, 'idle-user');
  expect((await agent.post('/api/loggedIn')).body).toMatchObject({ url: '/2fa' });
  // What 30 minutes without a request do to the store: its expiry date passes.
  await sessions().updateOne({ 'session.login.username': 'idle-user' }, { $set: { expires: new Date(Date.now() - 1000) } });
  expect((await agent.post('/api/loggedIn')).body).toEqual({ url: '/login' });
  await agent.post('/api/accountsecurity/sms').expect(401);
});

test('after 8 hours the login ends even if it was active, and its id is deleted', async () => {
  const { agent } = await registeredAgent(t.app, 'long-day');
  const login = await agent.post('/api/login').send({ username: 'long-day', password: 'correct horse battery' }).expect(200);
  const old = sessionCookie(login)!;
  clock += 7 * 60 * 60 * 1000;
  expect((await agent.post('/api/loggedIn')).body).toMatchObject({ url: '/2fa' });
  clock += 60 * 60 * 1000 + 1000;
  expect((await agent.post('/api/loggedIn')).body).toEqual({ url: '/login' });
  const sid = decodeURIComponent(old.split('=')[1]);
  expect(await sessions().countDocuments({ _id: sid.slice(2, sid.lastIndexOf('.')) as never })).toBe(0);
  // A new login starts a new 8 hours.
  await agent.post('/api/login').send({ username: 'long-day', password: 'correct horse battery' }).expect(200);
  expect((await client(t.app).post('/api/loggedIn')).body).toEqual({ url: '/login' });
  expect((await agent.post('/api/loggedIn')).body).toMatchObject({ url: '/2fa' });
});
