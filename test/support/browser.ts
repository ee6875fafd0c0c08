// Browser tests: Debian's Chromium driven by playwright-core against the real app in sandbox
// mode (test/support/sandbox-app.ts, on the Authy sandbox or with { provider: 'verify' } the
// Verify one) serving the built SPA, opened at its PUBLIC_URL (http://localhost:<port>). One
// browser for the run (test/support/chromium.ts), a fresh context per test. Every page a test opens is watched: a console error, an uncaught exception,
// a CSP violation, an alert()/confirm() box or a 5xx answer fails the test in afterEach. An HTTP
// error the test provokes on purpose (401 for a wrong password…) is declared with `allowHttp`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { request as playwrightRequest, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { generateSync } from 'otplib';
import type { ProviderName } from '../../server/platform/config';
import { openChromium } from './chromium';
import { startSandboxApp, type SandboxApp } from './sandbox-app';
import { testFailed } from './test-failed';

const ROOT = path.resolve(__dirname, '..', '..');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');
const DOCS_SCREENSHOT_DIR = path.join(ROOT, 'docs', 'screenshots');
/** The screenshots the README shows (refresh: UPDATE_DOCS_SCREENSHOTS=1 npx jest test/browser). */
const DOCS_SCREENSHOTS = [
  'push-waiting',
  'sandbox-phone',
  'sandbox-phone-narrow',
  'protected',
  'login-error',
  'passkeys',
  'verify-enrol',
  'account',
];

/** A password the no-secrets check looks for in every response and log line. */
export const PASSWORD = 'correct horse battery staple';
/** A wrong one, also looked for. */
export const WRONG_PASSWORD = 'wrong-1-password';

// ---------------------------------------------------------------------------------------------
// The build: the browser tests need dist/public. `npm test` may not build first, so build here
// when it is missing or older than client/ (under a lock: Jest runs two files at once).

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function buildIsCurrent(): boolean {
  const index = path.join(ROOT, 'dist', 'public', 'index.html');
  if (!existsSync(index) || !existsSync(path.join(ROOT, 'dist', 'public', 'sandbox.html'))) return false;
  const sources = Math.max(newestMtime(path.join(ROOT, 'client')), statSync(path.join(ROOT, 'scripts', 'build.mjs')).mtimeMs);
  return statSync(index).mtimeMs >= sources;
}

async function ensureBuilt(): Promise<void> {
  const lock = path.join(ROOT, 'test-results', '.build-lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (buildIsCurrent()) return;
    try {
      mkdirSync(lock);
    } catch {
      // Another worker builds; a lock older than 2 min is left over from a killed run.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('Timed out waiting for another test worker to build the SPA');
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      if (!buildIsCurrent()) execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Problems: what makes a journey fail whatever its assertions said.

interface AllowedHttp {
  status: number;
  path: string;
}

export interface BrowserSuite {
  readonly app: SandboxApp;
  readonly browser: Browser;
  /** The test's context and its first page (fresh for each test). */
  readonly context: BrowserContext;
  readonly page: Page;
  /** Another watched context (own cookies, own clock), closed after the test; `baseURL` defaults to the suite's app. */
  newContext(baseURL?: string): Promise<BrowserContext>;
  /** A watched page in a context (the test's by default). */
  newPage(context?: BrowserContext): Promise<Page>;
  /** Declares an HTTP error this test provokes on purpose (matched by status and path). */
  allowHttp(status: number, urlPath: string): void;
  /**
   * Writes test-results/screenshots/<name>.png (the whole page). With UPDATE_DOCS_SCREENSHOTS=1,
   * names in DOCS_SCREENSHOTS also go to docs/screenshots/<name>.png (the viewport only).
   */
  screenshot(name: string, page?: Page): Promise<void>;
  /** Everything recorded so far that would fail the test; clears it (for tests of the harness). */
  takeProblems(): string[];
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 100);

/**
 * Registers the hooks of a browser test file and returns the per-test handles. Call at the top
 * of a describe block (or file). `now` is the app's clock (its sessions, limits and sandbox).
 */
export function useBrowser(options: { provider?: ProviderName; now?: () => number } = {}): BrowserSuite {
  let app: SandboxApp | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let contexts: BrowserContext[] = [];
  let problems: string[] = [];
  let allowed: AllowedHttp[] = [];

  const isAllowed = (status: number, url: string) => {
    let p: string;
    try {
      p = new URL(url).pathname;
    } catch {
      return false;
    }
    return allowed.some((a) => a.status === status && a.path === p);
  };

  const watch = (p: Page) => {
    const where = () => {
      try {
        return new URL(p.url()).pathname;
      } catch {
        return p.url();
      }
    };
    p.on('console', (msg) => {
      const text = msg.text();
      // Chromium reports each 4xx/5xx as "Failed to load resource: … status of 401 (Unauthorized)".
      const failed = /^Failed to load resource: the server responded with a status of (\d{3})/.exec(text);
      if (failed && isAllowed(Number(failed[1]), msg.location().url)) return;
      if (msg.type() === 'error' || /Content[- ]Security[- ]Policy/i.test(text)) {
        problems.push(`console ${msg.type()} on ${where()}: ${text} (${msg.location().url})`);
      }
    });
    p.on('pageerror', (err) => problems.push(`uncaught exception on ${where()}: ${err.message}`));
    p.on('dialog', (dialog) => {
      problems.push(`a ${dialog.type()}() box on ${where()}: ${dialog.message()}`);
      void dialog.dismiss().catch(() => undefined);
    });
    p.on('response', (res) => {
      if (res.status() >= 500) problems.push(`HTTP ${res.status()} for ${res.request().method()} ${res.url()}`);
      else if (res.status() >= 400 && !isAllowed(res.status(), res.url())) {
        problems.push(`unexpected HTTP ${res.status()} for ${res.request().method()} ${res.url()}`);
      }
    });
  };

  const newContext = async (baseURL = app!.publicUrl) => {
    if (!browser) throw new Error('no browser');
    const ctx = await browser.newContext({ baseURL, viewport: { width: 960, height: 720 } });
    // Runs before any page script, outside the page's CSP: reports violations to the console.
    await ctx.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
      });
    });
    ctx.on('page', watch);
    contexts.push(ctx);
    return ctx;
  };

  beforeAll(async () => {
    await ensureBuilt();
    app = await startSandboxApp({ built: true, provider: options.provider, now: options.now });
    browser = await openChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  beforeEach(async () => {
    problems = [];
    allowed = [];
    contexts = [];
    context = await newContext();
    page = await context.newPage();
  });

  afterEach(async () => {
    const name = slug(expect.getState().currentTestName ?? 'test');
    // The final page of a journey that failed (of every journey with SCREENSHOT_EVERY_TEST=1): a
    // full-page screenshot after each passing test cost about 6 CPU-s a run, seen by no one.
    const keep = testFailed() || process.env.SCREENSHOT_EVERY_TEST === '1';
    if (keep && page && !page.isClosed()) await suite.screenshot(`final-${name}`).catch(() => undefined);
    for (const ctx of contexts) await ctx.close().catch(() => undefined);
    const found = problems;
    problems = [];
    if (found.length > 0) throw new Error(`The browser reported problems during "${name}":\n  ${found.join('\n  ')}`);
  });

  const suite: BrowserSuite = {
    get app() {
      return app!;
    },
    get browser() {
      return browser!;
    },
    get context() {
      return context!;
    },
    get page() {
      return page!;
    },
    newContext,
    async newPage(ctx = context!) {
      return ctx.newPage();
    },
    allowHttp(status, urlPath) {
      allowed.push({ status, path: urlPath });
    },
    async screenshot(name, p = page!) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const png = await p.screenshot({ fullPage: true, animations: 'disabled' });
      writeFileSync(path.join(SCREENSHOT_DIR, `${name}.png`), png);
      if (process.env.UPDATE_DOCS_SCREENSHOTS === '1' && DOCS_SCREENSHOTS.includes(name)) {
        mkdirSync(DOCS_SCREENSHOT_DIR, { recursive: true });
        await p.screenshot({ path: path.join(DOCS_SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' });
      }
    },
    takeProblems() {
      const taken = problems;
      problems = [];
      return taken;
    },
  };
  return suite;
}

// ---------------------------------------------------------------------------------------------
// The app's state, read from the sandbox's JSON (what "the phone" sees).

export interface InboxMessage {
  to: string;
  channel: 'sms' | 'call';
  purpose: '2fa' | 'verification' | 'verify';
  code: string;
  sent_at: string;
}

export interface Approval {
  uuid: string;
  /** An Authy approval request's user, or a Verify challenge's entity. */
  authy_id?: string;
  identity?: string;
  message: string;
  status: string;
  created_at: string;
}

async function getJson<T>(baseUrl: string, urlPath: string): Promise<T> {
  const res = await fetch(baseUrl + urlPath, { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET ${urlPath}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Polls `fn` (real time) until it returns a value other than undefined/false. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The newest code sent to the national number `phone` (matched on its last four digits). */
export async function codeSentTo(
  app: AppAt,
  phone: string,
  channel: 'sms' | 'call',
  purpose: '2fa' | 'verification' | 'verify',
  after?: string,
): Promise<string> {
  const last4 = phone.replace(/\D/g, '').slice(-4);
  return waitFor(`a ${channel} ${purpose} code to …${last4}`, async () => {
    const inbox = await getJson<InboxMessage[]>(app.baseUrl, '/sandbox/inbox.json');
    const m = inbox.find((x) => x.to.endsWith(last4) && x.channel === channel && x.purpose === purpose && x.code !== after);
    return m?.code;
  });
}

/** The Authy id the app stored for `username` (what the sandbox knows the user by). */
export async function authyIdOf(app: SandboxApp, username: string): Promise<string> {
  const user = await app.db.connection.collection('users').findOne({ username });
  const id: unknown = user?.authyId;
  if (typeof id !== 'string' || id === '') throw new Error(`no Authy id stored for ${username}`);
  return id;
}

/** The Verify entity the app stored for `username` (what the Verify sandbox knows the user by). */
export async function verifyIdentityOf(app: SandboxApp, username: string): Promise<string> {
  const user = await app.db.connection.collection('users').findOne({ username });
  const identity: unknown = (user?.verify as { identity?: unknown } | undefined)?.identity;
  if (typeof identity !== 'string' || identity === '') throw new Error(`no Verify entity stored for ${username}`);
  return identity;
}

/**
 * The soft token of a sandbox user (an Authy id or a Verify identity), from its TOTP secret as an
 * authenticator app computes it; `stepsAhead` 1 for the next 30 s step (each step is accepted once).
 */
export async function softToken(app: AppAt, id: string, stepsAhead = 0): Promise<string> {
  const { secret } = await getJson<{ secret: string }>(app.baseUrl, `/sandbox/users/${id}/totp.json`);
  return generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + stepsAhead * 30, period: 30, digits: 6, algorithm: 'sha1' });
}

/** The pending push request of a sandbox user (an Authy id or a Verify identity). */
export async function pendingApproval(app: AppAt, id: string): Promise<Approval> {
  return waitFor(`a pending push request for ${id}`, async () => {
    const list = await getJson<Approval[]>(app.baseUrl, '/sandbox/approvals.json');
    return list.find((a) => (a.authy_id === id || a.identity === id) && a.status === 'pending');
  });
}

/** Where an app answers: the suite's sandbox app, or one started another way. */
export interface AppAt {
  baseUrl: string;
}

// ---------------------------------------------------------------------------------------------
// Users: one fresh user per journey (the attempt limits count per user).

export interface TestUser {
  username: string;
  email: string;
  phone: string;
  password: string;
}

let userSeq = 0;
/** A new, not yet registered user; `phoneBase` keeps numbers distinct between files. */
export function newUser(prefix: string, phoneBase: number): TestUser {
  userSeq++;
  const n = phoneBase + userSeq;
  const id = `${prefix}${userSeq}${Math.random().toString(36).slice(2, 6)}`;
  return { username: id, email: `${id}@example.com`, phone: `415-555-${String(n).padStart(4, '0')}`, password: PASSWORD };
}

/** Registers `user` through the API (as the SPA does, CSRF token included), outside the browser. */
export async function registerUser(app: AppAt, user: TestUser): Promise<void> {
  const api = await playwrightRequest.newContext({ baseURL: app.baseUrl });
  try {
    await api.get('/');
    const { cookies } = await api.storageState();
    const token = cookies.find((c) => c.name === 'XSRF-TOKEN')?.value;
    if (!token) throw new Error('no XSRF-TOKEN cookie on GET /');
    const res = await api.post('/api/user/register', {
      headers: { 'X-XSRF-TOKEN': decodeURIComponent(token) },
      data: { username: user.username, email: user.email, password: user.password, country_code: '1', phone_number: user.phone },
    });
    if (res.status() !== 200) throw new Error(`registering ${user.username}: HTTP ${res.status()} ${await res.text()}`);
  } finally {
    await api.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// Page helpers.

/** The path of the page's URL. */
export const pathOf = (page: Page) => new URL(page.url()).pathname;

/** Waits until the SPA shows `urlPath`, with or without a trailing slash (ui-router changes the URL without a load). */
export async function waitForPath(page: Page, urlPath: string): Promise<void> {
  await page.waitForURL((url) => url.pathname === urlPath || url.pathname === `${urlPath}/`, { timeout: 10_000 });
}

/** Waits until AngularJS has no $http request in flight (its callbacks have then run). */
export async function httpSettled(page: Page): Promise<void> {
  await waitFor(
    'the SPA to finish its requests',
    () =>
      page.evaluate(() => {
        const ng = (
          window as unknown as { angular?: { element(d: Document): { injector(): { get(n: string): { pendingRequests: unknown[] } } } } }
        ).angular;
        return ng ? ng.element(document).injector().get('$http').pendingRequests.length === 0 : false;
      }),
    // The account page asks for eight sections at once: on a loaded machine they take a while.
    20_000,
  );
}

/** Waits for /protected and its content (which names the user). */
export async function reachProtected(page: Page, username: string): Promise<void> {
  await waitForPath(page, '/protected');
  const content = page.locator('#protected-content');
  await content.waitFor({ state: 'visible' });
  const text = (await content.textContent()) ?? '';
  if (!text.includes(username)) throw new Error(`/protected does not name ${username}: ${text.trim()}`);
}

/** Fills the open registration form (the default country, unless the test chose one) and sends it; ends on /2fa. */
export async function submitRegistration(page: Page, user: TestUser): Promise<void> {
  await page.fill('#username', user.username);
  await page.fill('#email', user.email);
  await page.fill('#phone_number', user.phone);
  await page.fill('#password', user.password);
  await page.fill('#password2', user.password);
  await page.click('#register');
  await waitForPath(page, '/2fa');
}

/** On /2fa: asks for an SMS, types the code the sandbox received, and ends on /protected. */
export async function passWithSms(page: Page, app: AppAt, user: TestUser): Promise<void> {
  await page.click('#sms');
  const code = await codeSentTo(app, user.phone, 'sms', '2fa');
  await page.fill('#token', code);
  await page.click('#verify');
  await waitForPath(page, '/protected');
  await page.locator('#protected-content').waitFor();
}

/** Logs in through the login page at `path` (ends on /2fa, or on `landing`: /protected on a remembered browser). */
export async function logIn(page: Page, user: TestUser, path = '/login', landing = '/2fa'): Promise<void> {
  await page.goto(path);
  await page.fill('#username', user.username);
  await page.fill('#password', user.password);
  await page.click('#login');
  await waitForPath(page, landing);
}

/** The id of the focused element ('' for none). */
export const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

/** Presses Tab (Shift+Tab with `back`) at most `max` times until `selector` has the focus. */
export async function tabTo(page: Page, selector: string, { back = false, max = 40 } = {}): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${selector} cannot be reached with the ${back ? 'Shift+' : ''}Tab key`);
}

/** Fields of the visible forms without a label (by <label for>, wrapping label or aria-label). */
export async function unlabelledFields(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(
      document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('main input, main select, main textarea'),
    )
      .filter((el) => el.type !== 'hidden')
      .filter((el) => !(el.labels && Array.from(el.labels).some((l) => l.textContent?.trim())) && !el.getAttribute('aria-label'))
      .map((el) => el.id || el.name || el.outerHTML.slice(0, 60)),
  );
}

/** The text of the page's error message (p.message.error[role=alert]) once shown. */
export async function errorShown(page: Page): Promise<string> {
  const el = page.locator('main p.message.error[role=alert]');
  await el.waitFor({ state: 'visible', timeout: 10_000 });
  return (await el.textContent())?.trim() ?? '';
}

/** The text of the page's success message (p.message.ok[role=status]) once shown. */
export async function statusShown(page: Page): Promise<string> {
  const el = page.locator('main p.message.ok[role=status]');
  await el.waitFor({ state: 'visible', timeout: 10_000 });
  return (await el.textContent())?.trim() ?? '';
}

/** From a page past 2FA, the header's Account link: waits for /account and its sections. */
export async function openAccount(page: Page): Promise<void> {
  await page.click('#nav-account');
  await waitForPath(page, '/account');
  await page.locator('#account-username').waitFor();
  await httpSettled(page);
}

/** Logout, from /protected (the page with the button); ends on /. */
export async function logOutFromProtected(page: Page): Promise<void> {
  if (pathOf(page) !== '/protected') await page.goto('/protected');
  await page.click('#logout');
  await waitForPath(page, '/');
}
