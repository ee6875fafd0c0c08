// The HTTP surface: pages and their guards, health, limits, headers, unknown paths.
import { authyScope, replies } from '../support/authy-nock';
import { get, post } from '../support/http';
import { validPerson } from '../support/users';
import { createTestApp, testConfig, useTestApp } from '../support/app';

const t = useTestApp();

test.each(['/', '/register', '/login', '/verification', '/login/', '/register/'])('%s serves the SPA', async (url) => {
  const res = await get(t.app, url).expect(200).expect('Content-Type', /html/);
  expect(res.text).toContain('<ui-view>');
  expect(res.headers['cache-control']).toBe('no-cache');
});

test('guarded pages redirect a visitor who is not logged in, as the original did; /protected is come back to after 2FA', async () => {
  await get(t.app, '/2fa').expect(302).expect('Location', '/login');
  await get(t.app, '/protected').expect(302).expect('Location', '/login?next=%2Fprotected');
  await get(t.app, '/protected/').expect(302).expect('Location', '/login?next=%2Fprotected');
  await get(t.app, '/verified').expect(302).expect('Location', '/verification');
});

test('hashed assets are cached for a year; a missing one is a 404', async () => {
  const res = await get(t.app, '/assets/app-TEST.js').expect(200);
  expect(res.headers['cache-control']).toMatch(/max-age=31536000.*immutable/);
  await get(t.app, '/assets/nope.js').expect(404);
});

test('a precompressed copy is served to a browser that accepts it, the plain file otherwise', async () => {
  const zipped = await get(t.app, '/assets/app-TEST.js').set('Accept-Encoding', 'gzip, deflate').expect(200);
  expect(zipped.headers['content-encoding']).toBe('gzip');
  expect(zipped.headers['content-type']).toMatch(/javascript/);
  expect(zipped.headers['vary']).toMatch(/Accept-Encoding/);
  expect(zipped.text).toBe('console.log(1)\n'); // supertest unzips it
  const plain = await get(t.app, '/assets/app-TEST.js').set('Accept-Encoding', 'identity').expect(200);
  expect(plain.headers['content-encoding']).toBeUndefined();
  expect(plain.text).toBe('console.log(1)\n');
  // No .br copy exists: a brotli-only browser gets the plain file.
  expect((await get(t.app, '/assets/app-TEST.js').set('Accept-Encoding', 'br').expect(200)).headers['content-encoding']).toBeUndefined();
});

test('POST /api/test, /healthz and /readyz answer', async () => {
  await post(t.app, '/api/test').expect(200, { connected: true });
  await get(t.app, '/healthz').expect(200, { status: 'ok' });
  await get(t.app, '/readyz').expect(200, { status: 'ready' });
});

test('a mistyped page address is an HTML 404 (the SPA, which says so); the API and non-browsers keep the JSON 404', async () => {
  const page = await get(t.app, '/nothing/here').set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8').expect(404);
  expect(page.headers['content-type']).toMatch(/^text\/html/);
  expect(page.text).toContain('<ui-view>');
  expect(page.headers['cache-control']).toBe('no-cache');
  const json = { error: 'Not found.' };
  expect((await get(t.app, '/api/nothing').set('Accept', 'text/html').expect(404)).body).toEqual(json);
  expect((await get(t.app, '/nothing/here').expect(404)).body).toEqual(json);
  expect((await post(t.app, '/nothing/here').set('Accept', 'text/html').expect(404)).body).toEqual(json);
});

test('malformed JSON is a 400 and a body over 10 kB a 413, never a 500', async () => {
  const bad = await post(t.app, '/api/login').set('Content-Type', 'application/json').send('{"username": ').expect(400);
  expect(bad.body).toEqual({ error: 'The request body is not valid JSON.' });
  await post(t.app, '/api/login')
    .send({ username: 'x', password: 'y'.repeat(11 * 1024) })
    .expect(413);
  await post(t.app, '/api/login').set('Content-Type', 'application/json').send('[1,2]').expect(400);
  await post(t.app, '/api/login').set('Content-Type', 'application/json').send('"just a string"').expect(400);
});

test('security headers: a CSP without inline scripts, no x-powered-by', async () => {
  const res = await get(t.app, '/');
  const csp = res.headers['content-security-policy'];
  expect(csp).toMatch(/script-src 'self'(;|$)/);
  expect(csp).toMatch(/default-src 'self'/);
  expect(csp).toMatch(/frame-ancestors 'none'/);
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  expect(res.headers['x-powered-by']).toBeUndefined();
  expect(res.headers['x-content-type-options']).toBe('nosniff');
});

test('each request is logged once with its status, without the query string', async () => {
  await get(t.app, '/api/nothing?token=1234567');
  const line = t.logs.lines.map((l) => JSON.parse(l)).find((l) => l.path === '/api/nothing');
  expect(line).toMatchObject({ method: 'GET', status: 404, msg: expect.stringMatching(/^GET \/api\/nothing 404 [\d.]+ ms$/) });
  // A code in the path (as in Authy's verify URL, which the sandbox serves) is masked too.
  await get(t.app, '/api/verify/7654321/1001');
  expect(t.logs.lines.map((l) => JSON.parse(l).path)).toContain('/api/verify/…/…');
  expect(t.logs.text).not.toMatch(/1234567|7654321/);
});

test('/readyz is a 503 when the database cannot be reached', async () => {
  const broken = await createTestApp();
  await broken.db.connection.close();
  try {
    await get(broken.app, '/readyz').expect(503, { error: 'The database is not reachable.' });
    await get(broken.app, '/healthz').expect(200);
  } finally {
    await broken.db.connection.openUri(process.env.TEST_MONGODB_URI!, { dbName: broken.db.dbName }).catch(() => undefined);
    await broken.close().catch(() => undefined);
  }
});

test('behind an https proxy (PUBLIC_URL https, TRUST_PROXY) the session cookie is Secure and __Host- prefixed', async () => {
  const secure = await createTestApp({ config: testConfig({ publicUrl: 'https://2fa.example.com', trustProxy: 1 }) });
  try {
    const person = validPerson('secure-cookie').body;
    authyScope().post('/protected/json/users/new').reply(200, replies.userCreated(4242));
    const res1 = await post(secure.app, '/api/user/register').set('X-Forwarded-Proto', 'https').send(person).expect(200);
    const session = (res1.headers['set-cookie'] as unknown as string[]).find((c) => c.includes('asq.sid='));
    expect(session).toMatch(/^__Host-asq\.sid=.*; Path=\/;.*HttpOnly; Secure; SameSite=Lax/);
    expect(session).not.toMatch(/Domain=/);
    const page = await get(secure.app, '/login').set('X-Forwarded-Proto', 'https').expect(200);
    expect((page.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('XSRF-TOKEN='))).toMatch(/Secure/);
    const res = await get(secure.app, '/').set('X-Forwarded-Proto', 'https').expect(200);
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['content-security-policy']).toMatch(/upgrade-insecure-requests/);
  } finally {
    await secure.close();
  }
});

test('API answers carry no ETag (they are no-store); the SPA shell keeps one, to be revalidated', async () => {
  const api = await post(t.app, '/api/loggedIn').expect(200);
  expect(api.headers['cache-control']).toBe('no-store');
  expect(api.headers.etag).toBeUndefined();
  const shell = await get(t.app, '/login').expect(200);
  expect(shell.headers['cache-control']).toBe('no-cache');
  expect(shell.headers.etag).toBeDefined();
  await get(t.app, '/login').set('If-None-Match', shell.headers.etag).expect(304);
});

test('GET /api/config names the 2FA provider, says whether the sandbox runs and where passkeys work, and nothing more', async () => {
  expect((await get(t.app, '/api/config').expect(200)).body).toEqual({
    provider: 'authy',
    sandbox: false,
    passkeyOrigin: 'http://localhost:1337',
    rememberBrowserDays: 30,
    passwordReset: false,
  });
});

test.each(['/register/', '/login/', '/verification/', '/2fa/', '/protected/', '/verified/'])(
  "%s (the original's URLs end in a slash) is served or guarded like the page without it",
  async (url) => {
    const withSlash = await get(t.app, url);
    const without = await get(t.app, url.slice(0, -1));
    expect([withSlash.status, withSlash.headers.location]).toEqual([without.status, without.headers.location]);
    expect([200, 302]).toContain(withSlash.status);
  },
);
