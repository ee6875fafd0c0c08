// Bad input of every shape, on every route: 400/401/403/404/409/413/415/429, never a 5xx.
import { randomUUID } from 'node:crypto';
import nock from 'nock';
import request from 'supertest';
import { AUTHY_CALLBACK_PATH as CALLBACK_PATH } from '../../server/providers/authy/authy-provider';
import { AUTHY_URL, useTestApp } from '../support/app';
import { replies } from '../support/authy-nock';
import { client, type Client } from '../support/http';
import { registeredAgent } from '../support/users';

const t = useTestApp();
let loggedIn: Client;
beforeAll(async () => {
  ({ agent: loggedIn } = await registeredAgent(t.app, 'fuzzed', 9501));
});

const ROUTES: Record<string, string[]> = {
  '/api/user/register': ['username', 'email', 'password', 'country_code', 'phone_number'],
  '/api/login': ['username', 'password'],
  '/api/accountsecurity/sms': [],
  '/api/accountsecurity/voice': [],
  '/api/accountsecurity/verify': ['token'],
  '/api/accountsecurity/onetouch': [],
  '/api/accountsecurity/onetouchstatus': [],
  '/api/verification/start': ['phone_number', 'country_code', 'via'],
  '/api/verification/verify': ['phone_number', 'country_code', 'token'],
  '/api/passkeys/authentication': ['id', 'rawId', 'type', 'response'],
  '/api/passkeys/sign-in': ['id', 'rawId', 'type', 'response'],
  '/api/passkeys/registration': [],
};

/** Authy answers everything plausibly, so a body that gets through validation still ends in 2xx/4xx. */
function fakeAuthy() {
  const authy = nock(AUTHY_URL).persist();
  authy.post('/protected/json/users/new').reply(200, replies.userCreated(9999));
  authy.get(/\/protected\/json\/(sms|call)\//).reply(200, replies.smsSent);
  authy.get(/\/protected\/json\/verify\//).reply(401, replies.tokenInvalid);
  // A fresh uuid each time, as Authy gives (the app stores each request under its uuid).
  authy.post(/\/onetouch\/json\/users\/.*\/approval_requests/).reply(200, () => replies.approvalCreated(randomUUID()));
  authy.get(/\/onetouch\/json\/approval_requests\//).reply(200, replies.approvalStatus('fuzz-uuid', 'pending'));
  authy.post('/protected/json/phones/verification/start').reply(200, replies.verificationStarted);
  authy.get(/\/protected\/json\/phones\/verification\/check/).reply(401, replies.verificationWrong);
}

const OPERATORS = [{ $ne: null }, { $gt: '' }, { $regex: '.*' }, { $where: 'sleep(1000)' }, { $in: ['a'] }, { $exists: true }];

/** A value each field accepts, so that only the field under test is wrong. */
const VALID: Record<string, unknown> = {
  username: 'valid_user',
  email: 'valid@example.com',
  password: 'correct horse battery',
  country_code: '1',
  phone_number: '415-555-2671',
  token: '1234567',
  via: 'sms',
  id: 'AAAAAAAAAAAAAAAAAAAAAA',
  rawId: 'AAAAAAAAAAAAAAAAAAAAAA',
  type: 'public-key',
  response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' },
};

describe.each(Object.entries(ROUTES).filter(([, fields]) => fields.length > 0))('%s', (route, fields) => {
  test.each(fields)('an operator object, an array or a number in %s is a 400 naming it', async (field) => {
    for (const value of [...OPERATORS, ['x'], 42, true, { nested: { deep: 'x' } }]) {
      const body: Record<string, unknown> = Object.fromEntries(fields.map((f) => [f, VALID[f]]));
      body[field] = value;
      const res = await loggedIn.post(route).send(body);
      expect({ status: res.status, field: res.body.field }).toEqual({ status: 400, field });
    }
  });
});

test.each(Object.keys(ROUTES))('%s: malformed JSON 400, a 200 kB body 413, a wrong content type 415', async (route) => {
  await loggedIn.post(route).set('Content-Type', 'application/json').send('{"a":').expect(400);
  await loggedIn
    .post(route)
    .send({ blob: 'x'.repeat(200 * 1024) })
    .expect(413);
  await loggedIn.post(route).set('Content-Type', 'text/plain').send('username=x').expect(415);
  await loggedIn.post(route).type('form').send('username=x&password=y').expect(415);
  await loggedIn.post(route).set('Content-Type', 'application/xml').send('<a/>').expect(415);
});

/** Bodies of shapes no client sends, each within the 10 kB limit: they must be 4xx, not a stack overflow. */
const HOSTILE_JSON: Record<string, string> = {
  'objects nested 1,200 deep': '{"a":'.repeat(1200) + '1' + '}'.repeat(1200),
  'arrays nested 4,000 deep': '['.repeat(4000) + ']'.repeat(4000),
  'nested under a real field': '{"uuid":"x","status":"approved","approval_request":' + '{"t":'.repeat(1000) + '1' + '}'.repeat(1001),
  'an array of 4,000 items': `{"uuid":[${Array(4000).fill('0').join(',')}]}`,
  'a 9,000-character key': `{"${'k'.repeat(9000)}":"v"}`,
  'many keys of 200 characters': `{${Array.from({ length: 40 }, (_, i) => `"${String(i).padStart(200, 'k')}":1`).join(',')}}`,
};

const HOSTILE_FORM: Record<string, string> = {
  'brackets nested 1,000 deep': `a${'[a]'.repeat(1000)}=1`,
  'brackets nested 9 deep': `a${'[a]'.repeat(9)}=1`,
  'an array of 2,000 items': Array(2000).fill('a[]=1').join('&'),
  'indices past any array limit': 'a[99999]=1&a[0]=2',
  'a 9,000-character key': `${'k'.repeat(9000)}=v`,
  'prototype keys': '__proto__[x]=1&constructor[prototype][y]=2&hasOwnProperty=3',
};

const SIGNED_HEADERS = { 'X-Authy-Signature': 'bm90IGEgc2lnbmF0dXJl', 'X-Authy-Signature-Nonce': '1700000000.1' };

describe.each(Object.entries(HOSTILE_JSON))('JSON with %s', (_name, payload) => {
  test.each([...Object.keys(ROUTES), CALLBACK_PATH, CALLBACK_PATH.toUpperCase()])('on %s: a 4xx', async (route) => {
    const res = await loggedIn.post(route).set(SIGNED_HEADERS).set('Content-Type', 'application/json').send(payload);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

test.each(Object.entries(HOSTILE_FORM))('the callback, form-encoded with %s: a 4xx', async (_name, payload) => {
  for (const route of [CALLBACK_PATH, `${CALLBACK_PATH}/`]) {
    const res = await request(t.app).post(route).set(SIGNED_HEADERS).type('form').send(payload);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  }
});

test('every /api response carries Cache-Control: no-store, errors included', async () => {
  const responses: [string, request.Response][] = [
    ['loggedIn', await loggedIn.post('/api/loggedIn')],
    ['protected, 403', await loggedIn.agent.get('/api/protected')],
    ['protected, 401', await request(t.app).get('/api/protected')],
    ['unknown route, 404', await request(t.app).get('/api/no-such-route')],
    ['login, 400', await loggedIn.post('/api/login').send({})],
    ['login, 415', await loggedIn.post('/api/login').set('Content-Type', 'text/plain').send('x')],
    ['login, CSRF 403', await request(t.app).post('/api/login').send({})],
    ['callback, 401', await request(t.app).post(CALLBACK_PATH).send({})],
    ['logout in capitals', await request(t.app).get('/API/LOGOUT')],
  ];
  for (const [what, res] of responses) expect([what, res.headers['cache-control']]).toEqual([what, 'no-store']);
});

/** A small seeded PRNG (mulberry32), so a failure can be replayed from its seed. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

test('1,000 random bodies across all routes and the callback: zero 5xx', async () => {
  fakeAuthy();
  try {
    await fuzz();
  } finally {
    nock.cleanAll(); // the persisted fakes are not "expected" calls
  }
}, 120_000);

async function fuzz() {
  const seed = Number(process.env.FUZZ_SEED ?? 20261125);
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const randomString = () => {
    const alphabets = ['0123456789', 'abcdefghijklmnopqrstuvwxyz', ' +-().@$%{}[]"\\\'\n\t\u0000', 'é漢字🙂\u202e'];
    const length = pick([0, 1, 4, 6, 7, 10, 40, 300, 3000]);
    let s = '';
    for (let i = 0; i < length; i++) s += pick([...pick(alphabets)]);
    return s;
  };
  const randomValue = (depth = 0): unknown =>
    pick([
      () => randomString(),
      () => Math.floor(rand() * 1e10),
      () => rand() - 0.5,
      () => null,
      () => rand() < 0.5,
      () => pick(OPERATORS),
      () => (depth < 3 ? [randomValue(depth + 1), randomValue(depth + 1)] : []),
      () => (depth < 3 ? { [pick(['$ne', 'a', '__proto__', 'constructor'])]: randomValue(depth + 1) } : {}),
      // Now and then a hostile shape: deep nesting, a huge array.
      () => (rand() < 0.2 ? JSON.parse('{"a":'.repeat(600) + '1' + '}'.repeat(600)) : null),
      () => (rand() < 0.2 ? Array(2000).fill(rand() < 0.5 ? 0 : 'x') : null),
    ])();
  // The routes, and the unauthenticated callback (its signature never matches here).
  const routes: [string, string[]][] = [...Object.entries(ROUTES), [CALLBACK_PATH, ['uuid', 'status', 'approval_request']]];
  const agents = [loggedIn, client(t.app)];
  const statuses = new Map<number, number>();
  for (let i = 0; i < 1000; i++) {
    const [route, fields] = pick(routes);
    const keys = [...fields.filter(() => rand() < 0.8), ...(rand() < 0.3 ? [randomString().slice(0, rand() < 0.9 ? 12 : 3000)] : [])];
    const body = Object.fromEntries(keys.map((k) => [k, rand() < 0.3 ? 'valid-looking-1234' : randomValue()]));
    // Now and then the whole body is a bare value (a string, a number, null, an array).
    const payload = JSON.stringify(rand() < 0.05 ? randomValue() : body);
    const res = await pick(agents).post(route).set(SIGNED_HEADERS).set('Content-Type', 'application/json').send(payload);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status >= 500)
      throw new Error(`seed ${seed}, request ${i}: ${route} ${JSON.stringify(body).slice(0, 300)} → ${res.status} ${res.text}`);
  }
  // Some requests must have got through validation, or the run proves little.
  expect([...statuses.keys()].some((s) => s === 401 || s === 200 || s === 429)).toBe(true);
  expect(statuses.get(400)).toBeGreaterThan(100);
}
