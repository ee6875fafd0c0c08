// Authy failing in each way it can: answering 500, resetting the connection, never answering.
// The app answers 502 or 504 with a sentence (never a 500, never Authy's body) in bounded time,
// a registration that failed leaves no user behind, and a login survives a failed SMS.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { CookieAccessInfo } from 'cookiejar';
import type { Express } from 'express';
import request from 'supertest';
import { userModel } from '../../server/auth/user.model';
import { createAuthyProvider } from '../../server/providers/authy/authy-provider';
import { CSRF_COOKIE } from '../../server/http/csrf';
import { createTestApp, TEST_API_KEY, useTestApp, type TestApp } from '../support/app';
import { authyScope, replies } from '../support/authy-nock';
import { client } from '../support/http';
import { validPerson } from '../support/users';

// The test app's Authy client gives up after 2 s (production: 10 s).
const t = useTestApp();

// A connection reset is done for real: a server that answers every connection with a TCP RST.
let resetter: net.Server;
let resetApp: TestApp;
beforeAll(async () => {
  resetter = net.createServer((socket) => socket.resetAndDestroy());
  await new Promise<void>((resolve) => resetter.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(resetter.address() as net.AddressInfo).port}`;
  resetApp = await createTestApp({ provider: createAuthyProvider({ apiKey: TEST_API_KEY, baseUrl, timeoutMs: 2000 }) }, { db: t.db });
  // The app loads its Authy client at the first Authy call (0.3-0.6 s, more on a busy machine):
  // one registration that works, so the times below are the faults' alone.
  authyScope().post('/protected/json/users/new').reply(200, replies.userCreated(6999));
  await client(t.app).post('/api/user/register').send(validPerson('warm-up').body).expect(200);
});
afterAll(async () => {
  await new Promise<void>((resolve) => resetter.close(() => resolve()));
});

type Fault = {
  what: string;
  app: () => Express;
  /** Sets up Authy's failure for the call `path` (a regular expression for GETs). */
  fail: (method: 'post' | 'get', path: string | RegExp) => void;
  status: number;
  withinMs: number;
};
const FAULTS: Fault[] = [
  {
    what: 'answers 500',
    app: () => t.app,
    fail: (m, p) => void authyScope()[m](p).reply(500, '<html>Internal Server Error</html>'),
    status: 502,
    withinMs: 1000,
  },
  { what: 'resets the connection', app: () => resetApp.app, fail: () => {}, status: 502, withinMs: 1500 },
  {
    what: 'never answers',
    app: () => t.app,
    fail: (m, p) => void authyScope()[m](p).delayConnection(5000).reply(200, {}),
    status: 504,
    withinMs: 3500,
  },
];

let n = 0;
describe.each(FAULTS)('Authy $what', ({ app, fail, status, withinMs }) => {
  test(`registration: ${status} within ${withinMs} ms, and no user is written`, async () => {
    const person = validPerson(`fault${++n}`);
    fail('post', '/protected/json/users/new');
    const started = performance.now();
    const res = await client(app()).post('/api/user/register').send(person.body);
    const ms = performance.now() - started;
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/html|hang up|reset/i);
    expect(ms).toBeLessThan(withinMs);
    expect(await userModel(t.db.connection).countDocuments({ username: person.body.username })).toBe(0);
  });

  test(`an SMS for a logged-in user: ${status} within ${withinMs} ms, and the login goes on`, async () => {
    // Registered while Authy works; the same cookies then go to the app whose Authy fails (both
    // apps share the database and the secret).
    authyScope()
      .post('/protected/json/users/new')
      .reply(200, replies.userCreated(7000 + ++n));
    const registrar = client(t.app);
    await registrar
      .post('/api/user/register')
      .send(validPerson(`sms${n}`).body)
      .expect(200);
    const cookies = registrar.agent.jar.getCookies(CookieAccessInfo.All);
    const cookie = cookies.toValueString();
    const xsrf = decodeURIComponent(cookies.find((c) => c.name === CSRF_COOKIE)!.value);
    fail('get', /\/protected\/json\/sms\/.*/);
    const started = performance.now();
    const res = await request(app()).post('/api/accountsecurity/sms').set('Cookie', cookie).set('X-XSRF-TOKEN', xsrf);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: expect.any(String) });
    expect(performance.now() - started).toBeLessThan(withinMs);
    await request(app())
      .post('/api/loggedIn')
      .set('Cookie', cookie)
      .set('X-XSRF-TOKEN', xsrf)
      .expect(200)
      .expect((r) => expect(r.body).toMatchObject({ url: '/2fa' }));
  });
});
