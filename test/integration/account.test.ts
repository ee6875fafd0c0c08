// The account over the API (Authy nock'ed; the phone change on every provider is in
// stories.test.ts): the summary, recovery codes, remembered browsers, the list of sessions,
// password changes, the fresh check every change needs, and the activity log.
import { RECHECK_FIELD } from '../../common/passkey-info';
import { ACTIVITY_SHOWN } from '../../common/account-api';
import { useTestApp } from '../support/app';
import { authyScope, replies } from '../support/authy-nock';
import { client } from '../support/http';
import { anotherSession, firstCodes, PASSWORD, passToken, REMEMBER_COOKIE, setCookie, signedIn } from '../support/account';

let clock = Date.now();
const t = useTestApp({ now: () => clock });
const MINUTE = 60 * 1000;
const descriptions = async (agent: ReturnType<typeof client>) =>
  ((await agent.get('/api/account/activity').expect(200)).body.events as { description: string }[]).map((e) => e.description);

describe('recovery codes', () => {
  test('ten readable codes of 80 bits are made once, right after 2FA; the summary counts them', async () => {
    const agent = await signedIn(t.app, 'rc-first', 5001);
    const codes = await firstCodes(agent);
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
    expect(new Set(codes).size).toBe(10);
    // Shown once: the next visit to /protected gets none, only the count.
    expect((await agent.post('/api/account/recovery-codes/first').expect(200)).body).toEqual({ codes: null, remaining: 10 });
    const summary = (await agent.get('/api/account').expect(200)).body;
    expect(summary).toEqual({
      username: 'rc-first',
      phone: '+1-XXX-XXX-2671',
      provider: 'authy',
      authenticatorPending: false,
      recoveryCodes: { remaining: 10, total: 10, createdAt: new Date(clock).toISOString() },
      rememberBrowserDays: 30,
    });
    // Only hashes are stored.
    const stored = await t.db.connection
      .collection('recovery_code_sets')
      .findOne({ userId: String((await t.db.connection.collection('users').findOne({ username: 'rc-first' }))!._id) });
    expect(stored?.hashes).toHaveLength(10);
    expect(JSON.stringify(stored)).not.toContain(codes[0]);
    expect(JSON.stringify(stored)).not.toContain(codes[0].replace(/-/g, ''));
  });

  test('a code passes 2FA once, in any case and spacing; then the count goes down; a new set voids the old', async () => {
    const agent = await signedIn(t.app, 'rc-use', 5002);
    const codes = await firstCodes(agent);
    await agent.post('/api/logout').expect(200);

    const login = client(t.app);
    await login.post('/api/login').send({ username: 'rc-use', password: PASSWORD }).expect(200);
    const typed = ` ${codes[3].toUpperCase().replace(/-/g, ' ')} `;
    expect((await login.post('/api/account/recovery-codes/use').send({ code: typed }).expect(200)).body).toEqual({
      success: true,
      remaining: 9,
    });
    expect((await login.post('/api/loggedIn').expect(200)).body).toEqual({ url: '/protected', username: 'rc-use' });
    await login.get('/api/protected').expect(200);
    // Used: refused the second time, also as a fresh check.
    const again = await login.post('/api/account/recovery-codes/use').send({ code: codes[3] }).expect(401);
    expect(again.body).toEqual({ error: 'That recovery code is not valid, or it was used already.', field: 'code' });
    expect((await login.get('/api/account').expect(200)).body.recoveryCodes.remaining).toBe(9);
    expect((await descriptions(login)).slice(0, 2)).toEqual([
      'Signed in with the password and a recovery code',
      'Recovery code used (9 codes left)',
    ]);

    // A recovery code is a second factor: it is a fresh check for the changes below.
    const fresh = await login.post('/api/account/recovery-codes').expect(200);
    const newCodes = fresh.body.codes as string[];
    expect(newCodes).toHaveLength(10);
    await login.post('/api/account/recovery-codes/use').send({ code: codes[4] }).expect(401);
    expect((await login.post('/api/account/recovery-codes/use').send({ code: newCodes[0] }).expect(200)).body.remaining).toBe(9);
    expect(await descriptions(login)).toContain('New recovery codes made: the old ones no longer work');
  });

  test('a code of another user is worth nothing; a code is needed before 2FA only with a password login', async () => {
    const alice = await signedIn(t.app, 'rc-alice', 5003);
    const aliceCodes = await firstCodes(alice);
    await signedIn(t.app, 'rc-bob', 5004);
    const bob = client(t.app);
    await bob.post('/api/account/recovery-codes/use').send({ code: aliceCodes[0] }).expect(401, { error: 'Please log in first.' });
    await bob.post('/api/login').send({ username: 'rc-bob', password: PASSWORD }).expect(200);
    await bob.post('/api/account/recovery-codes/use').send({ code: aliceCodes[0] }).expect(401);
    expect((await bob.post('/api/loggedIn')).body).toEqual({ url: '/2fa', username: 'rc-bob' });
    // Bad input: a 400 naming the field.
    for (const code of [undefined, '', 42, { $ne: null }, 'x'.repeat(41), 'abcd;efgh']) {
      expect((await bob.post('/api/account/recovery-codes/use').send({ code }).expect(400)).body.field).toBe('code');
    }
  });

  test('without a second factor in the last 5 minutes the first set waits for one (403 recheck)', async () => {
    const agent = await signedIn(t.app, 'rc-late', 5005);
    clock += 6 * MINUTE;
    const late = await agent.post('/api/account/recovery-codes/first').expect(403);
    expect(late.body.field).toBe(RECHECK_FIELD);
    await passToken(agent, 5005);
    expect(await firstCodes(agent)).toHaveLength(10);
  });
});

describe('remembered browsers', () => {
  test('after 2FA the browser is remembered: own cookie; the password alone then completes the login', async () => {
    const agent = await signedIn(t.app, 'rb-yes', 5101);
    const res = await agent.post('/api/account/browsers').expect(200);
    const cookie = setCookie(res, REMEMBER_COOKIE)!;
    expect(cookie).toMatch(/^asq\.rb=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    expect(Date.parse(/Expires=([^;]+)/.exec(cookie)![1]) - clock).toBeGreaterThan(29.9 * 24 * 60 * MINUTE);
    await agent.post('/api/logout').expect(200);

    // The same browser: the password completes the login, and the SPA goes on to /protected.
    const login = await agent.post('/api/login').send({ username: 'rb-yes', password: PASSWORD }).expect(200);
    expect(login.body).toEqual({ success: true, url: '/protected' });
    await agent.get('/api/protected').expect(200);
    // No second factor was passed: changes still ask for one.
    expect((await agent.post('/api/account/recovery-codes').expect(403)).body.field).toBe(RECHECK_FIELD);
    await agent.post('/api/account/browsers').expect(403);
    const [browser] = (await agent.get('/api/account/browsers').expect(200)).body.browsers;
    expect(browser).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      browser: 'An unknown browser',
      network: '127.0.0.0/24',
      firstUsedAt: expect.any(String),
      lastUsedAt: expect.any(String),
      expiresAt: expect.any(String),
      current: true,
    });
    expect((await descriptions(agent))[0]).toBe('Signed in with the password on a remembered browser (no second factor)');
    // Never without the password.
    await agent.post('/api/logout').expect(200);
    await agent.post('/api/login').send({ username: 'rb-yes', password: 'wrong-1-password' }).expect(401);
    expect((await agent.post('/api/loggedIn')).body).toEqual({ url: '/login' });
  });

  test('forgotten (one, or all), it is refused at the next login and the cookie is cleared', async () => {
    const agent = await signedIn(t.app, 'rb-forget', 5102);
    await agent.post('/api/account/browsers').expect(200);
    const other = await anotherSession(t.app, 'rb-forget', 5102);
    await other.post('/api/account/browsers').expect(200);
    const list = (await agent.get('/api/account/browsers').expect(200)).body.browsers as { id: string; current: boolean }[];
    expect(list.map((b) => b.current).sort()).toEqual([false, true]);

    // Forget the other browser from here; then all, this one included.
    await agent.delete(`/api/account/browsers/${list.find((b) => !b.current)!.id}`).expect(200, { success: true });
    const stale = await other.post('/api/logout').expect(200);
    expect(stale.status).toBe(200);
    const refused = await other.post('/api/login').send({ username: 'rb-forget', password: PASSWORD }).expect(200);
    expect(refused.body).toEqual({ success: true });
    expect(setCookie(refused, REMEMBER_COOKIE)).toMatch(/^asq\.rb=; Path=\/; Expires=Thu, 01 Jan 1970/);

    const all = await agent.delete('/api/account/browsers').expect(200);
    expect(all.body).toEqual({ success: true, forgotten: 1 });
    expect(setCookie(all, REMEMBER_COOKIE)).toMatch(/^asq\.rb=;/);
    expect((await agent.get('/api/account/browsers').expect(200)).body.browsers).toEqual([]);
    expect((await descriptions(agent)).slice(0, 2)).toEqual([
      'Every remembered browser forgotten (1)',
      'Remembered browser forgotten: An unknown browser',
    ]);
  });

  test('REMEMBER_BROWSER_DAYS=0: nothing is remembered (404), and /api/config says 0', async () => {
    const { createTestApp, testConfig } = await import('../support/app');
    const off = await createTestApp({ config: testConfig({ rememberBrowserDays: 0 }) });
    try {
      const agent = await signedIn(off.app, 'rb-off', 5103);
      await agent.post('/api/account/browsers').expect(404);
      expect((await client(off.app).get('/api/config').expect(200)).body.rememberBrowserDays).toBe(0);
    } finally {
      await off.close();
    }
  });
});

describe('sessions', () => {
  test('each signed-in session is listed (browser, network, when); this one is marked; logout unlists it', async () => {
    const here = await signedIn(t.app, 'ss-list', 5201);
    const there = await anotherSession(t.app, 'ss-list', 5201);
    const pending = client(t.app);
    await pending.post('/api/login').send({ username: 'ss-list', password: PASSWORD }).expect(200);
    const list = (await here.get('/api/account/sessions').set('User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0').expect(200))
      .body.sessions;
    // Only complete logins are listed: the one still at /2fa is not signed in.
    expect(list).toHaveLength(2);
    for (const s of list) {
      expect(s).toEqual({
        id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        browser: 'An unknown browser',
        network: '127.0.0.0/24',
        method: 'code',
        signedInAt: expect.any(String),
        lastSeenAt: expect.any(String),
        current: expect.any(Boolean),
      });
    }
    expect(list.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    await there.post('/api/logout').expect(200);
    expect((await here.get('/api/account/sessions').expect(200)).body.sessions).toHaveLength(1);
  });

  test('"Sign out" ends that session at its next request; a fresh check after it keeps the listing', async () => {
    const here = await signedIn(t.app, 'ss-end', 5202);
    const there = await anotherSession(t.app, 'ss-end', 5202);
    // A fresh check gives `there` a new session id: it is still the same listed session.
    await passToken(there, 5202);
    const list = (await here.get('/api/account/sessions').expect(200)).body.sessions as { id: string; current: boolean }[];
    expect(list).toHaveLength(2);
    const other = list.find((s) => !s.current)!;
    const mine = list.find((s) => s.current)!;
    await here.delete(`/api/account/sessions/${mine.id}`).expect(409);
    await here.delete(`/api/account/sessions/${other.id}`).expect(200, { success: true });
    await there.get('/api/protected').expect(401);
    expect((await there.post('/api/loggedIn')).body).toEqual({ url: '/login' });
    await here.delete(`/api/account/sessions/${other.id}`).expect(404);
    expect((await descriptions(here))[0]).toBe('Signed out a session: An unknown browser (network 127.0.0.0/24)');
  });

  test('"Sign out other sessions" ends them all (also one still at /2fa) and forgets remembered browsers', async () => {
    const here = await signedIn(t.app, 'ss-others', 5203);
    await here.post('/api/account/browsers').expect(200);
    const there = await anotherSession(t.app, 'ss-others', 5203);
    const pending = client(t.app);
    await pending.post('/api/login').send({ username: 'ss-others', password: PASSWORD }).expect(200);
    const res = await here.post('/api/account/sessions/end-others').expect(200);
    expect(res.body).toEqual({ success: true, sessionsEnded: 2, browsersForgotten: 1 });
    await there.get('/api/protected').expect(401);
    expect((await pending.post('/api/loggedIn')).body).toEqual({ url: '/login' });
    await here.get('/api/protected').expect(200);
    expect((await here.get('/api/account/sessions').expect(200)).body.sessions).toHaveLength(1);
    expect((await descriptions(here)).slice(0, 2)).toEqual(['Every remembered browser forgotten (1)', 'Signed out 2 other sessions']);
  });
});

describe('password change', () => {
  test('needs the current password; then other sessions end, browsers are forgotten, the new password works', async () => {
    const here = await signedIn(t.app, 'pw-change', 5301);
    const there = await anotherSession(t.app, 'pw-change', 5301);
    await there.post('/api/account/browsers').expect(200);
    const wrong = await here
      .post('/api/account/password')
      .send({ current_password: 'wrong-2-password', new_password: 'a brand new secret' })
      .expect(401);
    expect(wrong.body.field).toBe('current_password');
    expect(
      (await here.post('/api/account/password').send({ current_password: PASSWORD, new_password: 'short' }).expect(400)).body.field,
    ).toBe('new_password');
    const changed = await here
      .post('/api/account/password')
      .send({ current_password: PASSWORD, new_password: 'a brand new secret' })
      .expect(200);
    expect(changed.body).toEqual({ success: true, sessionsEnded: 1, browsersForgotten: 1 });
    await there.get('/api/protected').expect(401);
    await here.get('/api/protected').expect(200);
    await client(t.app).post('/api/login').send({ username: 'pw-change', password: PASSWORD }).expect(401);
    // The other browser's remembered cookie no longer skips 2FA.
    const again = await there.post('/api/login').send({ username: 'pw-change', password: 'a brand new secret' }).expect(200);
    expect(again.body).toEqual({ success: true });
    const stored = await t.db.connection.collection('users').findOne({ username: 'pw-change' });
    expect(stored?.hashed_password).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect((await descriptions(here))[0]).toBe('Password changed: other sessions signed out, remembered browsers forgotten');
  });
});

describe('every change needs a fresh second factor; reads do not', () => {
  test('six minutes after 2FA each change is a 403 recheck, and the lists still answer', async () => {
    const agent = await signedIn(t.app, 'fresh-all', 5401);
    await firstCodes(agent);
    clock += 6 * MINUTE;
    const changes: [string, string, object?][] = [
      ['post', '/api/account/password', { current_password: PASSWORD, new_password: 'another new secret' }],
      ['post', '/api/account/phone/start', { country_code: '1', phone_number: '415-555-0123', via: 'sms' }],
      ['post', '/api/account/phone/verify', { token: '1234' }],
      ['post', '/api/account/recovery-codes'],
      ['post', '/api/account/browsers'],
      ['delete', '/api/account/browsers'],
      ['delete', '/api/account/browsers/AAAAAAAAAAAAAAAAAAAAAA'],
      ['post', '/api/account/sessions/end-others'],
      ['delete', '/api/account/sessions/AAAAAAAAAAAAAAAAAAAAAA'],
    ];
    for (const [method, url, body] of changes) {
      const res = await (method === 'post' ? agent.post(url) : agent.delete(url)).send(body ?? {});
      expect({ url, status: res.status, field: res.body.field }).toEqual({ url, status: 403, field: RECHECK_FIELD });
    }
    for (const url of ['/api/account', '/api/account/browsers', '/api/account/sessions', '/api/account/activity'])
      await agent.get(url).expect(200);
  });

  test('before 2FA nothing of the account answers but the recovery code', async () => {
    const anonymous = client(t.app);
    await anonymous.get('/api/account').expect(401);
    await anonymous.post('/api/account/sessions/end-others').expect(401);
    const pending = client(t.app);
    await signedIn(t.app, 'fresh-pending', 5402);
    await pending.post('/api/login').send({ username: 'fresh-pending', password: PASSWORD }).expect(200);
    for (const url of ['/api/account', '/api/account/sessions', '/api/account/browsers', '/api/account/activity'])
      await pending.get(url).expect(403);
    await pending.post('/api/account/browsers').expect(403);
  });
});

describe('activity', () => {
  test('the newest 20 events, newest first, with time, browser and network; never an address or a code', async () => {
    const agent = await signedIn(t.app, 'act-list', 5501);
    const codes = await firstCodes(agent);
    for (let i = 0; i < 12; i++) {
      await agent
        .post('/api/account/browsers')
        .set('User-Agent', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0')
        .expect(200);
      await agent.delete('/api/account/browsers').expect(200);
    }
    const events = (await agent.get('/api/account/activity').expect(200)).body.events as Record<string, string>[];
    expect(events).toHaveLength(ACTIVITY_SHOWN);
    expect(events[0]).toEqual({
      at: new Date(clock).toISOString(),
      type: 'browsers-forgotten',
      description: 'Every remembered browser forgotten (1)',
      browser: 'An unknown browser',
      network: '127.0.0.0/24',
    });
    expect(events[1]).toMatchObject({ type: 'browser-remembered', browser: 'Firefox on macOS' });
    const text = JSON.stringify(events);
    expect(text).not.toContain('127.0.0.1');
    for (const code of codes) expect(text).not.toContain(code);
  });

  test('too many wrong codes: one lockout event per window, however often the locked user is tried', async () => {
    const agent = await signedIn(t.app, 'act-lock', 5502);
    await agent.post('/api/logout').expect(200);
    const attacker = client(t.app);
    await attacker.post('/api/login').send({ username: 'act-lock', password: PASSWORD }).expect(200);
    authyScope().get('/protected/json/verify/7654321/5502').times(5).reply(401, replies.tokenInvalid);
    for (let i = 0; i < 5; i++) await attacker.post('/api/accountsecurity/verify').send({ token: '7654321' }).expect(401);
    for (let i = 0; i < 3; i++) await attacker.post('/api/accountsecurity/verify').send({ token: '7654321' }).expect(429);
    await attacker.post('/api/account/recovery-codes/use').send({ code: 'aaaa-aaaa-aaaa-aaaa' }).expect(429);
    clock += 16 * MINUTE;
    const owner = await anotherSession(t.app, 'act-lock', 5502);
    const lockouts = (await descriptions(owner)).filter((d) => d.includes('locked'));
    expect(lockouts).toEqual(['Second factor locked for a while: too many wrong codes']);
  });
});
