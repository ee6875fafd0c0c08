// The original quickstart's tutorial, followed word for word on the built app: a `.env` of
// `export VAR=...` lines (meant for `source .env`), `node .`, then http://localhost:<port>/register/,
// register, http://localhost:<port>/login/, log in, a second factor, /protected.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { logIn, newUser, passWithSms, submitRegistration, useBrowser, waitForPath, type AppAt } from '../support/browser';
import { freePort } from '../support/free-port';

const ROOT = path.resolve(__dirname, '..', '..');
const h = useBrowser();

let child: ChildProcess | undefined;
let cwd: string | undefined;
let app: AppAt;
let port: number;
const output: string[] = [];

beforeAll(async () => {
  port = await freePort();
  const db = `t_tutorial_${randomBytes(4).toString('hex')}`;
  cwd = mkdtempSync(path.join(os.tmpdir(), 'asq-tutorial-'));
  // The tutorial's .env: `export` lines with quotes. dotenv reads them as plain assignments.
  writeFileSync(
    path.join(cwd, '.env'),
    [
      `export PORT=${port}`,
      `export MONGODB_URI='${process.env.TEST_MONGODB_URI!.replace(/\/?$/, '/')}${db}'`,
      `export SESSION_SECRET='${randomBytes(24).toString('hex')}'`,
      `export AUTHY_SANDBOX_KEY='${randomBytes(12).toString('hex')}'`,
      '',
    ].join('\n'),
  );
  // `node .`, with the tutorial's .env in the working directory: `node <the clone>` from there.
  child = spawn(process.execPath, [ROOT], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout!, child.stderr!]) readline.createInterface({ input: stream }).on('line', (l) => output.push(l));
  const deadline = Date.now() + 30_000;
  while (!output.some((l) => l.includes(`listening on http://127.0.0.1:${port}`))) {
    if (child.exitCode !== null) throw new Error(`node . exited with ${child.exitCode}:\n${output.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`node . did not start:\n${output.join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  app = { baseUrl: `http://localhost:${port}` };
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

test('the start line names the address to open: localhost, where passkeys work, not 127.0.0.1', () => {
  expect(output.find((l) => l.includes('listening on'))).toContain(`listening on http://127.0.0.1:${port} (open http://localhost:${port})`);
});

test('node ., /register/, register, /login/, log in, SMS, /protected', async () => {
  const context = await h.newContext(app.baseUrl);
  const page = await h.newPage(context);
  const u = newUser('tut', 3100);

  await page.goto('/register/');
  await page.locator('#register').waitFor();
  expect(await page.textContent('main h1')).toBe('Register');
  await submitRegistration(page, u);
  // Registered is signed in at the password stage: /login would lead on to /2fa. Cancel logs out.
  await page.click('#cancel');
  await waitForPath(page, '/login');

  await page.goto('/login/');
  await page.locator('#login').waitFor();
  expect(await page.textContent('main h1')).toBe('Log in');
  await logIn(page, u, '/login/');

  await passWithSms(page, app, u);
  expect(await page.textContent('main h1')).toBe('Protected by Twilio Authy 2FA');
  expect(output.join('\n')).toContain('SANDBOX MODE');
});
