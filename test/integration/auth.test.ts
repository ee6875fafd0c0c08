// Registration, login, logout, loggedIn: errors, seed defects, session handling.
import { client, post } from '../support/http';
import { legacySha256 } from '../../server/auth/password';
import { userModel } from '../../server/auth/user.model';
import { createAuthyProvider } from '../../server/providers/authy/authy-provider';
import { createTestApp, useTestApp } from '../support/app';
import { authyError, authyScope, replies } from '../support/authy-nock';
import { registeredAgent, sessionCookie, validPerson } from '../support/users';

const t = useTestApp();

const users = () => userModel(t.db.connection);

describe('POST /api/user/register', () => {
  test.each(['username', 'email', 'password', 'country_code', 'phone_number'])(
    'a missing %s is a 400 naming the field (the original answered 500)',
    async (field) => {
      const body: Record<string, unknown> = { ...validPerson('missing').body };
      delete body[field];
      const res = await post(t.app, '/api/user/register').send(body).expect(400);
      expect(res.body).toEqual({ error: expect.any(String), field });
    },
  );

  test.each([
    ['username', { $ne: null }],
    ['email', ['a@b.co']],
    ['password', 12345678],
    ['country_code', { $gt: '' }],
    ['phone_number', true],
  ])('a non-string %s is a 400, never a query', async (field, value) => {
    const res = await post(t.app, '/api/user/register')
      .send({ ...validPerson('typed').body, [field]: value })
      .expect(400);
    expect(res.body.field).toBe(field);
    expect(await users().countDocuments({ username: 'typed' })).toBe(0);
  });

  test('a short password, a bad email, a bad phone are 400s naming the field', async () => {
    const base = validPerson('shapes').body;
    expect(
      (
        await post(t.app, '/api/user/register')
          .send({ ...base, password: 'short' })
          .expect(400)
      ).body.field,
    ).toBe('password');
    expect(
      (
        await post(t.app, '/api/user/register')
          .send({ ...base, email: 'not-an-email' })
          .expect(400)
      ).body.field,
    ).toBe('email');
    expect(
      (
        await post(t.app, '/api/user/register')
          .send({ ...base, phone_number: 'call me' })
          .expect(400)
      ).body.field,
    ).toBe('phone_number');
    // authy-client's own phone check (libphonenumber) refuses before any request leaves.
    expect(
      (
        await post(t.app, '/api/user/register')
          .send({ ...base, phone_number: '555-555-1234' })
          .expect(400)
      ).body.field,
    ).toBe('phone_number');
  });

  test('the phone is stored in E.164 and sent to Authy as calling code + national number; an invalid one is a 400', async () => {
    authyScope()
      .post('/protected/json/users/new', { user: { cellphone: '1712345678', country_code: 880, email: 'dhaka@example.com' } })
      .reply(200, replies.userCreated(8801));
    await post(t.app, '/api/user/register')
      .send({ ...validPerson('dhaka').body, email: 'dhaka@example.com', country_code: '+880', phone_number: '01712-345678' })
      .expect(200);
    expect((await users().findOne({ username: 'dhaka' }).lean())?.phone).toBe('+8801712345678');
    const bad = await post(t.app, '/api/user/register')
      .send({ ...validPerson('trunk').body, phone_number: '04155550100' })
      .expect(400);
    expect(bad.body).toEqual({ error: 'Phone number is not a valid +1 number.', field: 'phone_number' });
    const code = await post(t.app, '/api/user/register')
      .send({ ...validPerson('nocode').body, country_code: '999' })
      .expect(400);
    expect(code.body.field).toBe('country_code');
  });

  test('Authy refusing leaves no user behind and answers 502 with its message', async () => {
    authyScope().post('/protected/json/users/new').reply(400, authyError('User was not valid', '60027'));
    const res = await post(t.app, '/api/user/register').send(validPerson('refused').body).expect(502);
    expect(res.body.error).toMatch(/User was not valid/);
    expect(await users().countDocuments({ username: 'refused' })).toBe(0);
  });

  test('Authy not answering in time is a 504 and leaves no user', async () => {
    authyScope().post('/protected/json/users/new').delay(2500).reply(200, replies.userCreated(1));
    await post(t.app, '/api/user/register').send(validPerson('slow').body).expect(504);
    expect(await users().countDocuments({ username: 'slow' })).toBe(0);
  });

  test('Authy unreachable is a 502 and leaves no user', async () => {
    // A real refused connection: nothing listens on port 1.
    const down = await createTestApp({ provider: createAuthyProvider({ apiKey: 'k', baseUrl: 'http://127.0.0.1:1' }) });
    try {
      const res = await post(down.app, '/api/user/register').send(validPerson('down').body).expect(502);
      expect(res.body.error).toMatch(/cannot be reached/);
      expect(await userModel(down.db.connection).countDocuments()).toBe(0);
    } finally {
      await down.close();
    }
  });

  test('a taken username is a 409, and Authy is not asked again', async () => {
    await registeredAgent(t.app, 'taken');
    const res = await post(t.app, '/api/user/register').send(validPerson('taken').body).expect(409);
    expect(res.body).toEqual({ error: 'That username is already taken.', field: 'username' });
    expect(await users().countDocuments({ username: 'taken' })).toBe(1);
  });

  test('a registered user has an Authy id and a salted scrypt hash, and is logged in with 2FA pending', async () => {
    const { agent } = await registeredAgent(t.app, 'grace', 2002);
    const user = await users().findOne({ username: 'grace' }).lean();
    expect(user).toMatchObject({ authyId: '2002', email: 'grace@example.com' });
    expect(user!.hashed_password).toMatch(/^scrypt\$/);
    expect((await agent.post('/api/loggedIn').expect(200)).body).toEqual({ url: '/2fa', username: 'grace' });
  });
});

describe('POST /api/login', () => {
  beforeAll(async () => {
    await registeredAgent(t.app, 'linus', 3003);
  });

  test('a missing password is a 400 (the original logged you in without one)', async () => {
    const res = await post(t.app, '/api/login').send({ username: 'linus' }).expect(400);
    expect(res.body.field).toBe('password');
    expect(sessionCookie(res)).toBeUndefined();
  });

  test('an unknown user and a wrong password get the same 401 (no enumeration)', async () => {
    const unknown = await post(t.app, '/api/login').send({ username: 'nobody', password: 'whatever123' }).expect(401);
    const wrong = await post(t.app, '/api/login').send({ username: 'linus', password: 'whatever123' }).expect(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(unknown.body).toEqual({ error: 'Wrong username or password.' });
  });

  test('operator objects are 400s, not a login', async () => {
    await post(t.app, '/api/login')
      .send({ username: { $ne: null }, password: 'x' })
      .expect(400);
    await post(t.app, '/api/login')
      .send({ username: 'linus', password: { $ne: null } })
      .expect(400);
    await post(t.app, '/api/login')
      .send({ username: { $regex: '.*' }, password: 'correct horse battery' })
      .expect(400);
  });

  test('the right password logs in with a new session id and 2FA pending', async () => {
    const agent = client(t.app);
    // A session that exists before login (phone verified) must not survive it under the same id.
    await agent.post('/api/logout');
    const res = await agent.post('/api/login').send({ username: 'linus', password: 'correct horse battery' }).expect(200);
    expect(sessionCookie(res)).toBeDefined();
    expect((await agent.post('/api/loggedIn')).body).toMatchObject({ url: '/2fa' });
  });

  test("the original's unsalted SHA-256 hash works once, then is replaced by scrypt", async () => {
    await users().collection.insertOne({
      username: 'legacy',
      email: 'legacy@example.com',
      hashed_password: legacySha256('old password'),
      authyId: '4004',
      createdAt: new Date(),
    });
    await post(t.app, '/api/login').send({ username: 'legacy', password: 'wrong password' }).expect(401);
    expect((await users().findOne({ username: 'legacy' }).lean())!.hashed_password).toBe(legacySha256('old password'));
    await post(t.app, '/api/login').send({ username: 'legacy', password: 'old password' }).expect(200);
    const upgraded = (await users().findOne({ username: 'legacy' }).lean())!.hashed_password;
    expect(upgraded).toMatch(/^scrypt\$/);
    await post(t.app, '/api/login').send({ username: 'legacy', password: 'old password' }).expect(200);
  });
});

describe('sessions', () => {
  test('the cookie has our own name, is httpOnly and SameSite=Lax, and nothing is stored for anonymous visits', async () => {
    const anon = await post(t.app, '/api/loggedIn').expect(200, { url: '/login' });
    expect(anon.headers['set-cookie']).toBeUndefined();
    const { agent } = await registeredAgent(t.app, 'cookie');
    const res = await agent.post('/api/login').send({ username: 'cookie', password: 'correct horse battery' }).expect(200);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('asq.sid='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/connect\.sid/);
  });

  test('login issues a new session id and the old one is dead', async () => {
    const { agent } = await registeredAgent(t.app, 'fixation');
    const first = sessionCookie(await agent.post('/api/login').send({ username: 'fixation', password: 'correct horse battery' }));
    const second = sessionCookie(await agent.post('/api/login').send({ username: 'fixation', password: 'correct horse battery' }));
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    const old = await post(t.app, '/api/loggedIn').set('Cookie', first!).expect(200);
    expect(old.body).toEqual({ url: '/login' });
  });

  test('sessions are kept in MongoDB', async () => {
    const { agent } = await registeredAgent(t.app, 'stored');
    const sid = decodeURIComponent(
      sessionCookie(await agent.post('/api/login').send({ username: 'stored', password: 'correct horse battery' }))!.split('=')[1],
    );
    const id = sid.slice(2, sid.lastIndexOf('.'));
    const doc = await t.db.connection.collection('sessions').findOne({ _id: id as never });
    expect(doc?.session).toMatchObject({ login: { stage: 'password', username: 'stored' } });
  });
});

describe('logout', () => {
  test('works without a session (the original called an undefined next)', async () => {
    await post(t.app, '/api/logout').expect(200, { success: true });
  });

  test('destroys the session and clears the cookie', async () => {
    const { agent } = await registeredAgent(t.app, 'leaving');
    const res = await agent.post('/api/logout').expect(200);
    expect((res.headers['set-cookie'] as unknown as string[]).join()).toMatch(/asq\.sid=;.*Expires=Thu, 01 Jan 1970/);
    expect((await agent.post('/api/loggedIn')).body).toEqual({ url: '/login' });
  });

  test("the original's GET answers this site's own page and the address bar (Sec-Fetch-Site)", async () => {
    for (const site of ['same-origin', 'none']) {
      const { agent } = await registeredAgent(t.app, `leaving-get-${site}`);
      await agent.get('/api/logout').set('Sec-Fetch-Site', site).expect(200, { success: true });
      expect((await agent.post('/api/loggedIn')).body).toEqual({ url: '/login' });
    }
  });
});
