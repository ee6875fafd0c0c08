// A login lasts 30 minutes idle (rolling) and 8 hours at most, whatever the activity.
import { useTestApp } from '../support/app';
import { client } from '../support/http';
import { registeredAgent, sessionCookie } from '../support/users';

let clock = Date.now();
const t = useTestApp({ now: () => clock });

const sessions = () => t.db.connection.collection('sessions');

test('the cookie lives 30 minutes and is renewed by each response (rolling)', async () => {
  const { agent } = await registeredAgent(t.app, 'idle-cookie');
  const res = await agent.post('/api/loggedIn').expect(200);
  const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('asq.sid='))!;
  const expires = Date.parse(/Expires=([^;]+)/.exec(cookie)![1]);
  expect(expires - Date.now()).toBeGreaterThan(29 * 60 * 1000);
  expect(expires - Date.now()).toBeLessThanOrEqual(30 * 60 * 1000 + 1000);
  const stored = await sessions().findOne({ 'session.login.username': 'idle-cookie' });
  const ahead = stored!.expires.getTime() - Date.now();
  expect(ahead).toBeGreaterThan(29 * 60 * 1000);
  expect(ahead).toBeLessThanOrEqual(30 * 60 * 1000 + 1000);
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
