// Usernames are unique without regard to case ('EveX' and 'evex' were two accounts), login
// accepts any case, and a database written before the canonical key existed keeps working,
// even one that already holds two names differing only in case.
import { userModel } from '../../server/auth/user.model';
import { hashPassword } from '../../server/auth/password';
import { createTestApp, TEST_SCRYPT, useTestApp } from '../support/app';
import { authyScope, replies } from '../support/authy-nock';
import { post } from '../support/http';
import { openTestDatabase } from '../support/db';
import { validPerson } from '../support/users';

const t = useTestApp();

test("'evex' cannot be registered beside 'EveX' (nor any other spelling); login takes any case", async () => {
  authyScope().post('/protected/json/users/new').reply(200, replies.userCreated(9701));
  await post(t.app, '/api/user/register').send(validPerson('EveX').body).expect(200);
  for (const spelling of ['evex', 'EVEX', 'eVeX']) {
    const res = await post(t.app, '/api/user/register').send(validPerson(spelling).body).expect(409);
    expect(res.body.field).toBe('username');
  }
  for (const spelling of ['EveX', 'evex', 'EVEX']) {
    const res = await post(t.app, '/api/login').send({ username: spelling, password: 'correct horse battery' }).expect(200);
    expect(res.body).toEqual({ success: true });
  }
  expect(await userModel(t.db.connection).countDocuments({ usernameKey: 'evex' })).toBe(1);
});

test('two registrations of one name in different case at once: one wins, the other is a 409', async () => {
  authyScope().post('/protected/json/users/new').times(2).reply(200, replies.userCreated(9702));
  const statuses = await Promise.all(
    ['RaceName', 'racename'].map((name) =>
      post(t.app, '/api/user/register')
        .send(validPerson(name).body)
        .then((r) => r.status),
    ),
  );
  expect(statuses.sort()).toEqual([200, 409]);
});

test('a database from before the keys: every user logs in; two names differing only in case both keep working; emails get their key', async () => {
  const db = await openTestDatabase();
  try {
    const users = db.connection.collection('users');
    const hash = (password: string) => hashPassword(password, TEST_SCRYPT);
    // As an earlier version (or the original) wrote them: no usernameKey, no emailKey.
    await users.insertMany([
      { username: 'OldTimer', email: 'o@example.com', hashed_password: await hash('password one'), authyId: '1', createdAt: new Date() },
      { username: 'Mallory', email: 'm1@example.com', hashed_password: await hash('password two'), authyId: '2', createdAt: new Date() },
      { username: 'mallory', email: 'M2@Example.com', hashed_password: await hash('password three'), authyId: '3', createdAt: new Date() },
    ]);
    const app = await createTestApp({}, { db });
    const login = (username: string, password: string) => post(app.app, '/api/login').send({ username, password });

    await login('oldtimer', 'password one').expect(200);
    await login('OLDTIMER', 'password one').expect(200);
    // Each of the pair with its exact spelling; the older one also with any other.
    await login('Mallory', 'password two').expect(200);
    await login('mallory', 'password three').expect(200);
    await login('MALLORY', 'password two').expect(200);
    await login('mallory', 'password two').expect(401);
    // Nobody can add a third spelling.
    await post(app.app, '/api/user/register').send(validPerson('MaLLoRy').body).expect(409);
    await post(app.app, '/api/user/register').send(validPerson('OLDTIMER').body).expect(409);

    expect(app.logs.lines.filter((l) => l.includes('differs only in case'))).toHaveLength(1);
    const keys = await users
      .find({}, { projection: { _id: 0, username: 1, usernameKey: 1, emailKey: 1 } })
      .sort({ username: 1 })
      .toArray();
    expect(keys).toEqual([
      { username: 'Mallory', usernameKey: 'mallory', emailKey: 'm1@example.com' },
      { username: 'OldTimer', usernameKey: 'oldtimer', emailKey: 'o@example.com' },
      { username: 'mallory', emailKey: 'm2@example.com' },
    ]);
  } finally {
    await db.close();
  }
});
