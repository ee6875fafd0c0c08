// Attacks on the account: another user's sessions and browsers, the recovery-code race and
// guessing, remembered-browser cookies used where they must not work, and the codes, tokens and
// hashes that must never appear in an answer (but the one that shows them) or a log line.
import { createHash } from 'node:crypto';
import request from 'supertest';
import { anonymousToken } from '../../server/http/csrf';
import { TEST_SESSION_SECRET, useTestApp } from '../support/app';
import { authyScope, replies } from '../support/authy-nock';
import { client, type Client } from '../support/http';
import { forbidSecret } from '../support/no-secrets';
import { anotherSession, cookieOf, firstCodes, PASSWORD, REMEMBER_COOKIE, setCookie, signedIn } from '../support/account';
import { validPerson } from '../support/users';

let clock = Date.now();
const t = useTestApp({ now: () => clock });
const DAY = 24 * 60 * 60 * 1000;

/** Responses that show new recovery codes, once. */
const showsCodes = (url: string) => /^\/api\/account\/recovery-codes(\/first)?$/.test(url);

/** The agent's first codes, each then forbidden in every other answer and every log line. */
async function codesOf(agent: Client): Promise<string[]> {
  const codes = await firstCodes(agent);
  for (const code of codes) {
    forbidSecret('a recovery code', code, showsCodes);
    forbidSecret('a recovery code', code.replace(/-/g, ''), showsCodes);
  }
  return codes;
}

/** Remembers the agent's browser; the token is then forbidden in every body and log line. */
async function remember(agent: Client): Promise<string> {
  await agent.post('/api/account/browsers').expect(200);
  const value = cookieOf(agent, REMEMBER_COOKIE)!;
  forbidSecret("a remembered browser's token", value.split('.')[1]);
  return value;
}

/** A password login in a browser holding `rememberCookie`. */
async function loginWith(rememberCookie: string | undefined, username: string, password = PASSWORD) {
  const agent = client(t.app);
  if (rememberCookie) agent.agent.jar.setCookie(`${REMEMBER_COOKIE}=${rememberCookie}; Path=/`, '127.0.0.1', '/');
  const res = await agent.post('/api/login').send({ username, password });
  return { agent, res };
}

describe('one user cannot see, end or forget what is another user’s', () => {
  test('sessions: not listed, not ended by handle, not ended by "Sign out other sessions"', async () => {
    const bob = await signedIn(t.app, 'sc-bob', 6001);
    const bobElsewhere = await anotherSession(t.app, 'sc-bob', 6001);
    const bobSessions = (await bob.get('/api/account/sessions').expect(200)).body.sessions as { id: string }[];
    expect(bobSessions).toHaveLength(2);

    const eve = await signedIn(t.app, 'sc-eve', 6002);
    expect((await eve.get('/api/account/sessions').expect(200)).body.sessions).toHaveLength(1);
    for (const { id } of bobSessions) await eve.delete(`/api/account/sessions/${id}`).expect(404);
    await eve.post('/api/account/sessions/end-others').expect(200, { success: true, sessionsEnded: 0, browsersForgotten: 0 });
    await bob.get('/api/protected').expect(200);
    await bobElsewhere.get('/api/protected').expect(200);
    expect((await bob.get('/api/account/sessions').expect(200)).body.sessions).toHaveLength(2);
  });

  test('remembered browsers: not listed, not forgotten by handle or by "forget all"; activity stays apart', async () => {
    const bob = await signedIn(t.app, 'sc-bob2', 6003);
    const bobCookie = await remember(bob);
    const [bobBrowser] = (await bob.get('/api/account/browsers').expect(200)).body.browsers as { id: string }[];

    const eve = await signedIn(t.app, 'sc-eve2', 6004);
    expect((await eve.get('/api/account/browsers').expect(200)).body.browsers).toEqual([]);
    await eve.delete(`/api/account/browsers/${bobBrowser.id}`).expect(404);
    await eve.delete('/api/account/browsers').expect(200, { success: true, forgotten: 0 });
    expect((await eve.get('/api/account/activity').expect(200)).body.events.map((e: { type: string }) => e.type)).not.toContain(
      'browser-remembered',
    );
    // Bob's browser still skips his second factor.
    expect((await loginWith(bobCookie, 'sc-bob2')).res.body).toEqual({ success: true, url: '/protected' });
  });
});

describe('recovery codes', () => {
  test('the same code from several sessions at once passes exactly once', async () => {
    const owner = await signedIn(t.app, 'rc-race', 6101);
    const [code] = await codesOf(owner);
    await owner.post('/api/logout').expect(200);
    const sessions: Client[] = [];
    for (let i = 0; i < 5; i++) {
      const agent = client(t.app);
      await agent.post('/api/login').send({ username: 'rc-race', password: PASSWORD }).expect(200);
      sessions.push(agent);
    }
    const statuses = await Promise.all(
      sessions.map((s) =>
        s
          .post('/api/account/recovery-codes/use')
          .send({ code })
          .then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 401)).toBe(true);
    const passed = await Promise.all(sessions.map(async (s) => (await s.post('/api/loggedIn')).body.url as string));
    expect(passed.filter((url) => url === '/protected')).toHaveLength(1);
    const user = await t.db.connection.collection('users').findOne({ username: 'rc-race' });
    expect(await t.db.connection.collection('recovery_code_uses').countDocuments({ userId: String(user!._id) })).toBe(1);
  });

  test('guessing codes hits the per-user limit of wrong tokens; wrong tokens and wrong codes share it', async () => {
    const owner = await signedIn(t.app, 'rc-guess', 6102);
    const [code] = await codesOf(owner);
    const attacker = client(t.app);
    await attacker.post('/api/login').send({ username: 'rc-guess', password: PASSWORD }).expect(200);
    authyScope().get('/protected/json/verify/7654321/6102').times(2).reply(401, replies.tokenInvalid);
    for (let i = 0; i < 2; i++) await attacker.post('/api/accountsecurity/verify').send({ token: '7654321' }).expect(401);
    for (let i = 0; i < 3; i++) {
      await attacker
        .post('/api/account/recovery-codes/use')
        .send({ code: `aaaa-bbbb-cccc-${String(i).padStart(4, '0')}` })
        .expect(401);
    }
    const locked = await attacker.post('/api/account/recovery-codes/use').send({ code: 'aaaa-bbbb-cccc-dddd' }).expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // Even the right code waits out the window, and is not used up by the refusal.
    await attacker.post('/api/account/recovery-codes/use').send({ code }).expect(429);
    clock += 16 * 60 * 1000;
    expect((await attacker.post('/api/account/recovery-codes/use').send({ code }).expect(200)).body).toEqual({
      success: true,
      remaining: 9,
    });
  });
});

describe('a remembered browser’s cookie', () => {
  test('does not skip the second factor for another user, who must pass it (the cookie stays its owner’s)', async () => {
    const bob = await signedIn(t.app, 'rb-bob', 6201);
    const bobCookie = await remember(bob);
    await signedIn(t.app, 'rb-eve', 6202);
    const { agent, res } = await loginWith(bobCookie, 'rb-eve');
    expect(res.body).toEqual({ success: true });
    expect(setCookie(res, REMEMBER_COOKIE)).toBeUndefined();
    expect((await agent.post('/api/loggedIn')).body).toEqual({ url: '/2fa', username: 'rb-eve' });
    await agent.get('/api/protected').expect(403);
  });

  test('never replaces the password', async () => {
    const bob = await signedIn(t.app, 'rb-pass', 6203);
    const cookie = await remember(bob);
    const { agent, res } = await loginWith(cookie, 'rb-pass', 'wrong-3-password');
    expect(res.status).toBe(401);
    expect((await agent.post('/api/loggedIn')).body).toEqual({ url: '/login' });
  });

  test('is refused, and cleared, once forgotten, with a forged token, or after it expired', async () => {
    const bob = await signedIn(t.app, 'rb-gone', 6204);
    const forgotten = await remember(bob);
    await bob.delete('/api/account/browsers').expect(200);
    const forged = await remember(bob);
    const expired = await remember(await anotherSession(t.app, 'rb-gone', 6204));
    const [handle] = forged.split('.');

    for (const cookie of [forgotten, `${handle}.${'A'.repeat(43)}`, 'not-a-cookie-value']) {
      const { agent, res } = await loginWith(cookie, 'rb-gone');
      expect({ cookie, body: res.body }).toEqual({ cookie, body: { success: true } });
      expect(setCookie(res, REMEMBER_COOKIE)).toMatch(/^asq\.rb=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/);
      expect((await agent.post('/api/loggedIn')).body).toEqual({ url: '/2fa', username: 'rb-gone' });
    }
    // The right one still works today; 31 days on it is refused, cleared, and its record deleted.
    expect((await loginWith(expired, 'rb-gone')).res.body).toEqual({ success: true, url: '/protected' });
    clock += 31 * DAY;
    const { res } = await loginWith(expired, 'rb-gone');
    expect(res.body).toEqual({ success: true });
    expect(setCookie(res, REMEMBER_COOKIE)).toMatch(/^asq\.rb=;/);
    expect(await t.db.connection.collection('remembered_browsers').countDocuments({ _id: expired.split('.')[0] as never })).toBe(0);
  });

  test('is Secure and __Host- prefixed when PUBLIC_URL is https', async () => {
    const { createTestApp, testConfig } = await import('../support/app');
    const https = await createTestApp({ config: testConfig({ publicUrl: 'https://2fa.example.com', trustProxy: 1 }) });
    try {
      // Behind an https proxy. A browser would send the Secure cookies back; supertest over http does not, so they are carried by hand.
      const jar = new Map<string, string>([['XSRF-TOKEN', anonymousToken(TEST_SESSION_SECRET)]]);
      const send = async (url: string, body: object = {}) => {
        const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
        const res = await request(https.app)
          .post(url)
          .set('X-Forwarded-Proto', 'https')
          .set('Cookie', cookie)
          .set('X-XSRF-TOKEN', decodeURIComponent(jar.get('XSRF-TOKEN')!))
          .send(body);
        if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
        for (const line of (res.headers['set-cookie'] as unknown as string[] | undefined) ?? []) {
          const [pair] = line.split(';');
          jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
        }
        return res;
      };
      authyScope().post('/protected/json/users/new').reply(200, replies.userCreated(6205));
      await send('/api/user/register', { ...validPerson('rb-https').body });
      authyScope().get('/protected/json/verify/1234567/6205').reply(200, replies.tokenValid);
      await send('/api/accountsecurity/verify', { token: '1234567' });
      const cookie = setCookie(await send('/api/account/browsers'), `__Host-${REMEMBER_COOKIE}`)!;
      expect(cookie).toMatch(/; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/);
      forbidSecret("a remembered browser's token", jar.get(`__Host-${REMEMBER_COOKIE}`)!.split('.')[1]);
    } finally {
      await https.close();
    }
  });
});

test('no answer (but the one that shows them) and no log line holds a code, a token or a stored hash', async () => {
  const agent = await signedIn(t.app, 'sec-leaks', 6301);
  const codes = await codesOf(agent);
  await remember(agent);
  const newer = (await agent.post('/api/account/recovery-codes').expect(200)).body.codes as string[];
  for (const code of newer) forbidSecret('a recovery code', code, showsCodes);
  const user = await t.db.connection.collection('users').findOne({ username: 'sec-leaks' });
  const sets = await t.db.connection
    .collection('recovery_code_sets')
    .find({ userId: String(user!._id) })
    .toArray();
  for (const hash of sets.flatMap((s) => s.hashes as string[])) forbidSecret('a recovery code hash', hash);
  const browsers = await t.db.connection
    .collection('remembered_browsers')
    .find({ userId: String(user!._id) })
    .toArray();
  for (const b of browsers) forbidSecret("a remembered browser's token hash", b.tokenHash as string);
  // Every answer of the account after that (checked by test/support/no-secrets.ts when the file ends).
  for (const url of ['/api/account', '/api/account/browsers', '/api/account/sessions', '/api/account/activity'])
    await agent.get(url).expect(200);
  await agent.post('/api/account/recovery-codes/use').send({ code: codes[0] }).expect(401);
  await agent.post('/api/account/recovery-codes/use').send({ code: newer[0] }).expect(200);
  // The hash of a code is not the code's SHA-256 alone: it is bound to the user.
  expect(sets[0].hashes).not.toContain(createHash('sha256').update(newer[1].replace(/-/g, '')).digest('hex'));
});
