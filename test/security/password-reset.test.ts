// Attacks on "Forgot password?": a link used twice or late, a token read from the database, an
// answer that tells whether an account has an email address, requests and guesses in bulk, and
// sessions or remembered browsers that outlive a reset. The mail goes to the sandbox's mailbox
// on the test database, as in `npm start`.
import { createHash } from 'node:crypto';
import { ResetLinks } from '../../server/reset/reset-links';
import { RESET_LINK_INVALID, RESET_REQUESTED } from '../../server/reset/reset.routes';
import { createLogger } from '../../server/platform/logger';
import { Mailbox } from '../../server/sandbox';
import { createTestApp, LogCapture, registerLogs, type TestApp } from '../support/app';
import { anotherSession, cookieOf, PASSWORD, passToken, REMEMBER_COOKIE, signedIn } from '../support/account';
import { openTestDatabase } from '../support/db';
import { client, postAtOnce } from '../support/http';
import { forbidSecret } from '../support/no-secrets';

const HOUR = 60 * 60 * 1000;
const NEW_PASSWORD = 'correct horse battery staple';
let clock = Date.now();
let t: TestApp;
let mailbox: Mailbox;
let mailLogs: LogCapture;

beforeAll(async () => {
  const db = await openTestDatabase();
  mailLogs = registerLogs(new LogCapture());
  mailbox = new Mailbox(db.connection, createLogger('info', mailLogs), () => new Date(clock));
  t = await createTestApp({ now: () => clock, mailer: mailbox }, { db });
});
afterAll(async () => {
  await t.db.close();
});
// Every test starts with fresh windows of every limit (the limits' own test fills them).
beforeEach(() => {
  clock += 2 * 24 * HOUR;
});

const emailOf = (username: string) => `${username}@example.com`;
const forgot = (email: string) => client(t.app).post('/api/password/forgot').send({ email });
const reset = (token: string, password = NEW_PASSWORD) => client(t.app).post('/api/password/reset').send({ token, password });

/** The mail goes out after the answer: the tests wait for it to arrive, as a person would. */
const poll = () => new Promise((resolve) => setTimeout(resolve, 10));

/** The reset tokens mailed to `email`, newest first, once there are `count`; each is then a secret. */
async function tokensMailedTo(email: string, count = 1): Promise<string[]> {
  for (let tries = 0; tries < 200; tries++) {
    const mails = (await mailbox.list(50)).filter((m) => m.to === email);
    if (mails.length >= count) {
      const tokens = mails.map((m) => /\/reset-password\?token=([\w-]{43})\b/.exec(m.text)![1]);
      for (const token of tokens) forbidSecret('a password reset token', token);
      return tokens;
    }
    await poll();
  }
  throw new Error(`no ${count} reset mail(s) to ${email}`);
}

/** Asks for a link for the user and returns its token. */
async function linkFor(username: string): Promise<string> {
  const before = (await mailbox.list(50)).filter((m) => m.to === emailOf(username)).length;
  await forgot(emailOf(username)).expect(200);
  return (await tokensMailedTo(emailOf(username), before + 1))[0];
}

test('a link works once: used again, or twice at the same moment, it is refused', async () => {
  await signedIn(t.app, 'pr-once', 7001);
  const token = await linkFor('pr-once');
  await reset(token).expect(200, { success: true });
  expect((await reset(token, 'another good password').expect(400)).body).toEqual({ error: RESET_LINK_INVALID, field: 'token' });
  await client(t.app).post('/api/login').send({ username: 'pr-once', password: NEW_PASSWORD }).expect(200);

  // Two requests with one link at once: exactly one sets its password.
  const raced = await linkFor('pr-once');
  const statuses = await postAtOnce(client(t.app), '/api/password/reset', { token: raced, password: 'a third good password' }, 4);
  expect(statuses.sort()).toEqual([200, 400, 400, 400]);
});

test('two uses of one link at the same moment: one claim wins, even before the reset voids the link', async () => {
  await signedIn(t.app, 'pr-claim', 7009);
  const links = new ResetLinks(t.db.connection, () => clock);
  const link = (await links.check(await linkFor('pr-claim')))!;
  expect(link).not.toBeNull();
  const uses = await Promise.all([links.use(link), links.use(link), links.use(link)]);
  expect(uses.filter(Boolean)).toHaveLength(1);
});

test('a link is refused after 30 minutes, and a reset voids the other links of the account', async () => {
  await signedIn(t.app, 'pr-late', 7002);
  const late = await linkFor('pr-late');
  clock += 31 * 60 * 1000;
  await reset(late).expect(400, { error: RESET_LINK_INVALID, field: 'token' });

  const first = await linkFor('pr-late');
  const second = await linkFor('pr-late');
  clock += 29 * 60 * 1000;
  await reset(second).expect(200);
  await reset(first, 'another good password').expect(400);
});

test('only the hash of a token is stored, and no answer or log line holds the token', async () => {
  await signedIn(t.app, 'pr-hash', 7003);
  const token = await linkFor('pr-hash');
  const stored = await t.db.connection.collection('password_resets').find({}).toArray();
  expect(JSON.stringify(stored)).not.toContain(token);
  expect(stored.map((s) => s._id)).toContain(createHash('sha256').update(token).digest('hex'));
  // A token read from the database (its hash) is no link.
  const hash = createHash('sha256').update(token).digest('base64url');
  await reset(hash).expect(400);
  await reset(token).expect(200);
});

test('the answer is the same whether or not an account has the address (and whether its mail budget is spent)', async () => {
  await signedIn(t.app, 'pr-known', 7004);
  const known = await forgot(emailOf('pr-known')).expect(200);
  const unknown = await forgot('nobody-here@example.com').expect(200);
  expect(known.body).toEqual({ success: true, message: RESET_REQUESTED });
  expect(unknown.body).toEqual(known.body);
  expect(Object.keys(unknown.headers).sort()).toEqual(Object.keys(known.headers).sort());
  await tokensMailedTo(emailOf('pr-known'));

  // Past the account's 3 mails an hour, the answer stays the same; no mail goes out.
  await forgot(emailOf('pr-known')).expect(200);
  await forgot(emailOf('pr-known')).expect(200);
  await tokensMailedTo(emailOf('pr-known'), 3);
  const over = await forgot(emailOf('pr-known')).expect(200);
  expect(over.body).toEqual(known.body);
  await waitForLine(t.logs, /password reset: no email sent \(Too many password reset emails for this account\)/);
  expect((await mailbox.list(50)).filter((m) => m.to === emailOf('pr-known'))).toHaveLength(3);
});

test('requests per address: the 11th in an hour is refused, known address or not', async () => {
  for (let i = 0; i < 10; i++) await forgot(`pr-nobody-${i}@example.com`).expect(200);
  const refused = await forgot('pr-nobody-11@example.com').expect(429);
  expect(refused.body.error).toMatch(/^Too many password reset requests from your network\. Try again in /);
  expect(refused.headers['retry-after']).toBeDefined();
});

test('links that do not work, per address: the 11th in an hour is refused even with a good link', async () => {
  await signedIn(t.app, 'pr-guess', 7005);
  const good = await linkFor('pr-guess');
  for (let i = 0; i < 10; i++) await reset(`${'A'.repeat(42)}${i}`).expect(400);
  const refused = await reset(good).expect(429);
  expect(refused.body.error).toMatch(/^Too many invalid password reset links from your network\. Try again in /);
});

test('a reset ends every session of the user and forgets remembered browsers; the second factor is still asked', async () => {
  const owner = await signedIn(t.app, 'pr-ends', 7006);
  await owner.post('/api/account/browsers').expect(200);
  const remembered = cookieOf(owner, REMEMBER_COOKIE)!;
  forbidSecret("a remembered browser's token", remembered.split('.')[1]);
  const elsewhere = await anotherSession(t.app, 'pr-ends', 7006);
  const atPassword = client(t.app);
  await atPassword.post('/api/login').send({ username: 'pr-ends', password: PASSWORD }).expect(200);
  const other = await signedIn(t.app, 'pr-other', 7007);

  await reset(await linkFor('pr-ends')).expect(200);
  await owner.get('/api/protected').expect(401);
  await elsewhere.get('/api/protected').expect(401);
  expect((await atPassword.post('/api/loggedIn').expect(200)).body).toEqual({ url: '/login' });
  // Another user's session is not touched.
  await other.get('/api/protected').expect(200);

  // The new password, in the browser that was remembered: the second factor is asked all the same.
  const again = client(t.app);
  again.agent.jar.setCookie(`${REMEMBER_COOKIE}=${remembered}; Path=/`, '127.0.0.1', '/');
  await again.post('/api/login').send({ username: 'pr-ends', password: PASSWORD }).expect(401);
  expect((await again.post('/api/login').send({ username: 'pr-ends', password: NEW_PASSWORD }).expect(200)).body).toEqual({
    success: true,
  });
  expect((await again.post('/api/loggedIn').expect(200)).body).toEqual({ url: '/2fa', username: 'pr-ends' });
  await again.get('/api/protected').expect(403);

  // Past 2FA, the account's activity tells of the reset (3 sessions: past 2FA, elsewhere, at the password).
  await passToken(again, 7006);
  const events = (await again.get('/api/account/activity').expect(200)).body.events as { type: string; description: string }[];
  expect(events.find((e) => e.type === 'password-reset')?.description).toBe(
    'Password reset by an emailed link: 3 sessions signed out, 1 remembered browser forgotten',
  );
});

test('an address typed in another case finds the account; the mail goes to the address it registered', async () => {
  await signedIn(t.app, 'pr-case', 7009);
  await forgot('PR-Case@EXAMPLE.com').expect(200);
  const [token] = await tokensMailedTo(emailOf('pr-case'));
  await reset(token).expect(200);
  expect((await mailbox.list(50)).filter((m) => m.to.toLowerCase() === emailOf('pr-case') && m.to !== emailOf('pr-case'))).toEqual([]);
});

test('bad input: clear 400s, and a refused new password leaves the link working', async () => {
  await signedIn(t.app, 'pr-input', 7008);
  await client(t.app).post('/api/password/forgot').send({}).expect(400, { error: 'Email is required.', field: 'email' });
  await forgot('not an address').expect(400);
  await client(t.app)
    .post('/api/password/forgot')
    .send({ email: { $ne: '' } })
    .expect(400);
  const token = await linkFor('pr-input');
  await client(t.app)
    .post('/api/password/reset')
    .send({ password: NEW_PASSWORD })
    .expect(400, { error: 'The link is required.', field: 'token' });
  await reset(token, 'short').expect(400, { error: 'Password must be at least 8 characters.', field: 'password' });
  await client(t.app)
    .post('/api/password/reset')
    .send({ token: [token], password: NEW_PASSWORD })
    .expect(400);
  await reset(token).expect(200);
});

test('without a mailer the server says reset by email is not set up, and the SPA is told', async () => {
  const plain = await createTestApp({}, { db: t.db });
  await client(plain.app).post('/api/password/forgot').send({ email: 'a@example.com' }).expect(503);
  expect((await client(plain.app).get('/api/config').expect(200)).body.passwordReset).toBe(false);
  expect((await client(t.app).get('/api/config').expect(200)).body.passwordReset).toBe(true);
});

async function waitForLine(logs: LogCapture, pattern: RegExp): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    if (logs.lines.some((line) => pattern.test(line))) return;
    await poll();
  }
  throw new Error(`no log line matches ${String(pattern)}`);
}
