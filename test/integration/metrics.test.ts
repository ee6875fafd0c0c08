// GET /metrics after a scripted flow: each counter moved by what the flow did, the histograms
// saw each call, no label carries a username, number, address or token, and the endpoint is
// closed without METRICS_TOKEN (404) and without the bearer token (401). Authy is nock'ed.
import http from 'node:http';
import request from 'supertest';
import { limitsFrom } from '../../server/platform/limits-config';
import { startMetricsServer, portOf } from '../../server/metrics/http';
import { createMetrics } from '../../server/metrics/metrics';
import { createTestApp, RELAXED_LIMITS, testConfig, useTestApp, type TestApp } from '../support/app';
import { authyScope, replies } from '../support/authy-nock';
import { client, get } from '../support/http';
import { parseMetrics, valueOf } from '../support/metrics-text';
import { authenticator, enrol, passwordLogin, secondFactorOptions, signIn, twoFactorAgent } from '../support/passkeys';
import { registeredAgent, validPerson } from '../support/users';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef-0123456789';
const closed = useTestApp();
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({
    config: testConfig({ metricsToken: METRICS_TOKEN, limits: limitsFrom({ ...RELAXED_LIMITS, LIMIT_TOKEN_FAILURES: '2/15m' }) }),
  });
});
afterAll(() => t.close());

const scrape = async () => {
  const res = await get(t.app, '/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return { text: res.text, samples: parseMetrics(res.text) };
};

test('without METRICS_TOKEN there is no /metrics; with it, no token or a wrong one is a 401', async () => {
  await get(closed.app, '/metrics').expect(404);
  // Off, metrics cost a request nothing: no timing, so no route pattern kept on the request.
  expect(Object.getOwnPropertyDescriptor(closed.app.request, 'route')).toBeUndefined();
  expect(typeof Object.getOwnPropertyDescriptor(t.app.request, 'route')?.set).toBe('function');
  for (const header of [undefined, 'Bearer wrong', `Basic ${METRICS_TOKEN}`, `Bearer ${METRICS_TOKEN}x`]) {
    const req = get(t.app, '/metrics');
    const res = await (header ? req.set('Authorization', header) : req);
    expect({ header, status: res.status, body: res.body as unknown }).toEqual({
      header,
      status: 401,
      body: { error: 'Metrics need the bearer token.' },
    });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
  }
});

test('after a scripted flow each counter moved by what it did, and no label holds anything personal', async () => {
  const before = (await scrape()).samples;
  const delta = async () => {
    const now = (await scrape()).samples;
    return (name: string, labels: Record<string, string> = {}) => valueOf(now, name, labels) - valueOf(before, name, labels);
  };

  // Codes: an SMS and a call to +1, a phone verification by SMS to +44.
  const { agent } = await registeredAgent(t.app, 'metered', 8101);
  authyScope().get('/protected/json/sms/8101').query(true).reply(200, replies.smsSent);
  await agent.post('/api/accountsecurity/sms').expect(200);
  authyScope().get('/protected/json/call/8101').query(true).reply(200, replies.callStarted);
  await agent.post('/api/accountsecurity/voice').expect(200);
  authyScope().post('/protected/json/phones/verification/start').reply(200, replies.verificationStarted);
  await client(t.app).post('/api/verification/start').send({ via: 'sms', country_code: '+44', phone_number: '07400 123456' }).expect(200);

  // The provider failing: an error (Authy's 500) and a time-out (the test client waits 2 s).
  authyScope().get('/protected/json/sms/8101').query(true).reply(500, replies.invalidKey);
  await agent.post('/api/accountsecurity/sms').expect(502);
  authyScope().get('/protected/json/call/8101').query(true).delay(2500).reply(200, replies.callStarted);
  await agent.post('/api/accountsecurity/voice').expect(504);

  // Tokens: one wrong, then one right (2FA passed).
  authyScope().get('/protected/json/verify/0000000/8101').reply(401, replies.tokenInvalid);
  await agent.post('/api/accountsecurity/verify').send({ token: '0000000' }).expect(401);
  authyScope().get('/protected/json/verify/1234567/8101').reply(200, replies.tokenValid);
  await agent.post('/api/accountsecurity/verify').send({ token: '1234567' }).expect(200);

  // Logins: a wrong password, then the right one; push approved on the phone.
  await client(t.app).post('/api/login').send({ username: 'metered', password: 'not the password' }).expect(401);
  const pushing = await passwordLogin(t.app, 'metered');
  const uuid = 'aaaaaaaa-0000-4000-8000-000000008101';
  authyScope().post('/onetouch/json/users/8101/approval_requests').reply(200, replies.approvalCreated(uuid));
  await pushing.post('/api/accountsecurity/onetouch').expect(200);
  authyScope().get(`/onetouch/json/approval_requests/${uuid}`).reply(200, replies.approvalStatus(uuid, 'approved'));
  await pushing.post('/api/accountsecurity/onetouchstatus').expect(200);

  // A limit: two wrong tokens are allowed in the window (LIMIT_TOKEN_FAILURES=2/15m), the third is refused.
  const { agent: guesser } = await registeredAgent(t.app, 'guesser', 8102);
  authyScope().get('/protected/json/verify/0000000/8102').times(2).reply(401, replies.tokenInvalid);
  for (const status of [401, 401, 429]) await guesser.post('/api/accountsecurity/verify').send({ token: '0000000' }).expect(status);

  // Passkeys: enrolment, a second factor, a sign-in, and a sign-in without user verification (refused).
  const auth = authenticator();
  await enrol(await twoFactorAgent(t.app, 'keyholder', 8103), auth);
  const second = await passwordLogin(t.app, 'keyholder');
  await second
    .post('/api/passkeys/authentication')
    .send(auth.get(await secondFactorOptions(second)))
    .expect(200);
  expect((await signIn(t.app, auth)).res.status).toBe(200);
  auth.opts.userVerified = false;
  expect((await signIn(t.app, auth)).res.status).toBe(401);

  const moved = await delta();
  const counters = {
    'sms to +1': moved('asq_codes_sent_total', { channel: 'sms', provider: 'authy', country_code: '1' }),
    'call to +1': moved('asq_codes_sent_total', { channel: 'call', provider: 'authy', country_code: '1' }),
    'sms to +44': moved('asq_codes_sent_total', { channel: 'sms', provider: 'authy', country_code: '44' }),
    'codes in all': moved('asq_codes_sent_total'),
    'provider errors': moved('asq_provider_errors_total', { provider: 'authy', operation: 'send_code', kind: 'error' }),
    'provider time-outs': moved('asq_provider_errors_total', { provider: 'authy', operation: 'send_code', kind: 'timeout' }),
    // 5 token checks reached Authy: a wrong and a right one for 'metered', two wrong for 'guesser' (the
    // third was refused before), and 'keyholder's. Six POSTs to /verify, the refused one included.
    'token checks timed': moved('asq_provider_request_duration_seconds_count', { operation: 'check_token' }),
    'sends timed': moved('asq_provider_request_duration_seconds_count', { operation: 'send_code' }),
    'token passes': moved('asq_second_factor_total', { method: 'token', outcome: 'success' }),
    'token failures': moved('asq_second_factor_total', { method: 'token', outcome: 'failure' }),
    'push passes': moved('asq_second_factor_total', { method: 'push', outcome: 'success' }),
    'passkey passes': moved('asq_second_factor_total', { method: 'passkey', outcome: 'success' }),
    'token-failure refusals': moved('asq_limit_refusals_total', { limit: 'token-failures' }),
    'password logins': moved('asq_logins_total', { method: 'password', outcome: 'success' }),
    'password failures': moved('asq_logins_total', { method: 'password', outcome: 'failure' }),
    'passkey logins': moved('asq_logins_total', { method: 'passkey', outcome: 'success' }),
    'passkey login failures': moved('asq_logins_total', { method: 'passkey', outcome: 'failure' }),
    'passkey enrolments': moved('asq_passkey_ceremonies_total', { ceremony: 'register', outcome: 'success' }),
    'passkey second factors': moved('asq_passkey_ceremonies_total', { ceremony: 'second_factor', outcome: 'success' }),
    'passkey sign-ins': moved('asq_passkey_ceremonies_total', { ceremony: 'sign_in', outcome: 'success' }),
    'passkey sign-in failures': moved('asq_passkey_ceremonies_total', { ceremony: 'sign_in', outcome: 'failure' }),
    'database outages': moved('asq_database_outages_total'),
    'verify requests timed': moved('asq_http_request_duration_seconds_count', {
      route: '/api/accountsecurity/verify',
      method: 'POST',
    }),
  };
  expect(counters).toEqual({
    'sms to +1': 1,
    'call to +1': 1,
    'sms to +44': 1,
    'codes in all': 3,
    'provider errors': 1,
    'provider time-outs': 1,
    'token checks timed': 5,
    'sends timed': 4,
    'token passes': 2,
    'token failures': 3,
    'push passes': 1,
    'passkey passes': 1,
    'token-failure refusals': 1,
    'password logins': 2,
    'password failures': 1,
    'passkey logins': 1,
    'passkey login failures': 1,
    'passkey enrolments': 1,
    'passkey second factors': 1,
    'passkey sign-ins': 1,
    'passkey sign-in failures': 1,
    'database outages': 0,
    'verify requests timed': 6,
  });

  // Nothing personal in any label: no username, e-mail, number, client address, code, uuid or id.
  const { text, samples } = await scrape();
  const values = [...new Set(samples.flatMap((s) => Object.values(s.labels)))];
  for (const secret of ['metered', 'guesser', 'keyholder', 'example.com', '127.0.0.1', '4155552671', '7400123456', uuid, METRICS_TOKEN]) {
    expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
  }
  expect(values.filter((v) => /\d{4,}/.test(v))).toEqual([]);
  // Routes are Express's patterns, never the path a client sent.
  const routes = [...new Set(samples.filter((s) => s.labels.route).map((s) => s.labels.route))].sort();
  expect(routes).toEqual(
    expect.arrayContaining(['/api/accountsecurity/verify', '/api/passkeys/sign-in', '/api/user/register', '/metrics']),
  );
  expect(routes.filter((r) => !/^(\/[\w\-.:*]*)+$|^unmatched$/.test(r))).toEqual([]);
}, 60_000);

test('an unknown path and a passkey id are labelled by pattern, not by what the client sent', async () => {
  const { agent } = await registeredAgent(t.app, 'pathfinder', 8104);
  authyScope().get('/protected/json/verify/1234567/8104').reply(200, replies.tokenValid);
  await agent.post('/api/accountsecurity/verify').send({ token: '1234567' }).expect(200);
  await agent.patch('/api/passkeys/secret-looking-id-4155552671').send({ name: 'x' }).expect(404);
  await get(t.app, '/no/such/page/4155552671').expect(404);
  const { samples } = await scrape();
  const routes = new Set(samples.map((s) => s.labels.route).filter(Boolean));
  expect(routes.has('/api/passkeys/:id')).toBe(true);
  expect(routes.has('unmatched')).toBe(true);
  expect([...routes].filter((r) => r.includes('4155552671'))).toEqual([]);
});

test('METRICS_PORT: served on loopback only, with the token when one is set', async () => {
  const metrics = createMetrics();
  metrics.login('password', 'success');
  const source = { render: () => metrics.registry.metrics(), contentType: metrics.registry.contentType };
  const server = await startMetricsServer({ port: 0, token: METRICS_TOKEN, source });
  try {
    expect((server.address() as { address: string }).address).toBe('127.0.0.1');
    const url = `http://127.0.0.1:${portOf(server)}`;
    expect((await request(url).get('/metrics')).status).toBe(401);
    expect((await request(url).get('/other')).status).toBe(404);
    const res = await request(url).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
    expect(res.text).toContain('asq_logins_total{method="password",outcome="success"} 1');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  const open = await startMetricsServer({ port: 0, source });
  try {
    const res = await new Promise<http.IncomingMessage>((resolve) => http.get(`http://127.0.0.1:${portOf(open)}/metrics`, resolve));
    expect(res.statusCode).toBe(200);
    res.resume();
  } finally {
    await new Promise<void>((resolve) => open.close(() => resolve()));
  }
});

test('a registration is counted in nothing but its request (no personal label appears)', async () => {
  await client(t.app).post('/api/user/register').send(validPerson('bad name!').body).expect(400);
  const { text } = await scrape();
  expect(text).not.toContain('bad name');
});
