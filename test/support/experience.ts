// What a person meets, in real Chromium at desktop (1280×800) and phone (390×844) widths, for one
// provider per test file (test/browser/experience*.test.ts): the provider's name on /protected
// and /verified, limit messages in minutes, the registration form's rules and country search,
// the sandbox phone as cards on a phone (and a push that ran out shown expired), the HTML 404,
// /2fa's labelled choices, resend countdown and Cancel, the header's user and Log out, and a
// passkey's removal: confirmed first, finished by itself after the check it asked for.
// One app and one browser per file; one page changes width instead of opening another.
import type { Page } from 'playwright-core';
import { PRODUCTS } from '../../common/products';
import type { ProviderName } from '../../server/platform/config';
import {
  codeSentTo,
  errorShown,
  logIn,
  newUser,
  openAccount,
  pathOf,
  reachProtected,
  registerUser,
  statusShown,
  useBrowser,
  waitFor,
  waitForPath,
  type BrowserSuite,
} from './browser';
import { virtualAuthenticator } from './virtual-authenticator';

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
/** Two journeys in one test take longer than Jest's 30 s on a busy machine. */
const LONG_JOURNEY_MS = 60_000;

/** Nothing is wider than the window: no sideways scrolling. */
export const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/** The element's children sit on one row (none wrapped under another). */
const oneLine = (page: Page, selector: string) =>
  page.locator(selector).evaluate((el) => {
    const rows = Array.from(el.children, (child) => child.getBoundingClientRect());
    return rows.every((r) => r.top < rows[0].bottom && r.bottom > rows[0].top);
  });

/** The element is shown and lies within the window's width. */
async function withinWidth(page: Page, selector: string): Promise<boolean> {
  const box = await page.locator(selector).boundingBox();
  const width = page.viewportSize()?.width ?? 0;
  return box !== null && box.width > 0 && box.x >= 0 && box.x + box.width <= width;
}

/** The journeys on both providers; returns the suite, for a file's own journeys besides them. */
export function describeExperience(provider: ProviderName, phoneBase: number): BrowserSuite {
  /** How far the app's clock runs ahead of the real one (a push request's minute passing). */
  let ahead = 0;
  const h = useBrowser({ provider, now: () => Date.now() + ahead });
  afterEach(() => (ahead = 0));
  const product = PRODUCTS[provider];
  const other = provider === 'authy' ? 'Verify' : 'Authy';
  const user = () => newUser(`x${provider[0]}`, phoneBase);
  // The points checked at one width on one provider are checked at the other width on the other.
  const [first, second] = provider === 'authy' ? [PHONE, DESKTOP] : [DESKTOP, PHONE];

  test(
    `${product.name}'s name on /protected and /verified, at both widths`,
    async () => {
      const { page, app } = h;
      const u = user();
      await registerUser(app, u);
      await page.setViewportSize(DESKTOP);
      await logIn(page, u);
      // An SMS code: on Verify, a login with the password alone cannot enrol the soft token.
      await page.click('#sms');
      const sent = await codeSentTo(app, u.phone, 'sms', provider === 'authy' ? '2fa' : 'verify');
      await page.fill('#token', sent);
      await page.click('#verify');
      await reachProtected(page, u.username);
      const links = () =>
        page.$$eval('main .resource-links a', (as) => as.map((a) => ({ text: a.textContent?.trim(), href: a.getAttribute('href') })));
      for (const size of [DESKTOP, PHONE]) {
        await page.setViewportSize(size);
        expect(await page.textContent('main h1')).toBe(product.protectedTitle);
        expect((await page.textContent('#protected-content .lead'))?.trim()).toBe(product.protectedLead);
        expect(await links()).toEqual(product.pageLinks);
        expect(await fitsWidth(page)).toBe(true);
      }
      // On Verify, Authy is named only by the link about migrating from it.
      if (provider === 'verify') expect(await page.textContent('#protected-content')).not.toContain('Authy');

      await page.goto('/verification');
      await page.fill('#phone_number', u.phone);
      await page.click('#send-code');
      await page.locator('#code').waitFor();
      await page.fill('#code', await codeSentTo(app, u.phone, 'sms', provider === 'authy' ? 'verification' : 'verify', sent));
      await page.click('#verify-code');
      await waitForPath(page, '/verified');
      for (const size of [PHONE, DESKTOP]) {
        await page.setViewportSize(size);
        expect(await page.textContent('main h1')).toBe(product.verifiedTitle);
        expect(await page.textContent('#verified-message')).toBe('Congratulations. You have verified your phone!');
        expect(await page.textContent('main h1')).not.toContain(other);
        expect(await fitsWidth(page)).toBe(true);
      }
    },
    LONG_JOURNEY_MS,
  );

  test(`a limit says once what was limited, in minutes; the try before the last warns (${first.width} px)`, async () => {
    const { page, app } = h;
    const u = user();
    await registerUser(app, u);
    await page.setViewportSize(first);
    await logIn(page, u);
    h.allowHttp(401, '/api/accountsecurity/verify');
    h.allowHttp(429, '/api/accountsecurity/sms');
    const said: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.fill('#token', '0000000');
      await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/accountsecurity/verify')), page.click('#verify')]);
      said.push(await errorShown(page));
    }
    expect(said.slice(3)).toEqual([
      'That token is not valid. One try left before a 15-minute lock.',
      'That token is not valid. Too many wrong codes. Try again in 15 minutes.',
    ]);
    // No code is sent that could not be checked: the SMS is refused with the lock, once.
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/accountsecurity/sms')), page.click('#sms')]);
    await waitFor('the refusal', async () => (await errorShown(page)) !== said[4]);
    expect(await errorShown(page)).toBe('Too many wrong codes. Try again in 15 minutes.');
    expect(await fitsWidth(page)).toBe(true);
    await h.screenshot(`limit-${provider}`);
  });

  test(`registration: the rules up front, the country search selecting, Enter keeping it (${second.width} px)`, async () => {
    const { page, app } = h;
    const u = { ...newUser(`r${provider[0]}`, phoneBase), phone: `01512 34${String(Date.now() % 100000).padStart(5, '0')}` };
    await page.setViewportSize(second);
    await page.goto('/register');
    expect(await page.textContent('#username-rule')).toContain('Letters, digits and . _ @ + - only');
    expect(await page.textContent('#password-rule')).toContain('At least 8 characters');
    expect(await page.getAttribute('#password', 'aria-describedby')).toBe('password-rule');

    await page.fill('#username', u.username);
    await page.fill('#email', u.email);
    await page.locator('#country_search').pressSequentially('ger');
    const selected = () => page.$eval('#country_code', (s) => (s as HTMLSelectElement).selectedOptions[0]?.textContent?.trim());
    expect(await selected()).toBe('Germany (+49)');
    await page.press('#country_search', 'Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('phone_number');
    expect(pathOf(page)).toBe('/register');
    await page.keyboard.type(u.phone);
    expect(await page.textContent('#phone_e164')).toBe(`+49${u.phone.replace(/\D/g, '').slice(1)}`);
    expect(await fitsWidth(page)).toBe(true);
    await page.fill('#password', u.password);
    await page.fill('#password2', u.password);
    await page.click('#register');
    await waitForPath(page, '/2fa');
    const stored = await app.db.connection.collection('users').findOne({ username: u.username });
    expect(stored?.phone).toBe(`+49${u.phone.replace(/\D/g, '').slice(1)}`);
  });

  test(
    'the sandbox phone at 390 px: cards with the code and the buttons in sight, no sideways scrolling; a push that ran out shows expired',
    async () => {
      const { page, app } = h;
      const u = user();
      await registerUser(app, u);
      await logIn(page, u);
      await page.click('#sms');
      await statusShown(page);
      await page.click('#push');
      await page.locator('#push-waiting').waitFor();
      const code = await codeSentTo(app, u.phone, 'sms', provider === 'authy' ? '2fa' : 'verify');

      const phone = await h.newPage(await h.newContext());
      await phone.setViewportSize(PHONE);
      await phone.goto('/sandbox');
      expect(await phone.textContent('#provider')).toContain(`The app runs on ${product.name}`);
      const request = phone.locator('#approvals tbody tr', { hasText: u.username });
      const message = phone.locator('#inbox tbody tr', { hasText: code });
      await request.locator('.cell-answer .btn-primary').waitFor();
      // Each row names its user and provider; the buttons and the code come first, in sight.
      for (const row of [request, message]) {
        expect(await row.locator('.owner-name').textContent()).toBe(u.username);
        expect(await row.locator('.owner-id').textContent()).toContain(product.name.replace('Twilio ', ''));
      }
      expect(await phone.locator('#users .sandbox-user h3', { hasText: u.username }).count()).toBe(1);
      const approveId = await request.locator('.cell-answer .btn-primary').getAttribute('id');
      expect(await withinWidth(phone, `#${approveId}`)).toBe(true);
      expect(await withinWidth(phone, `#${approveId?.replace('approve-', 'deny-')}`)).toBe(true);
      const codeBox = message.locator('.cell-code');
      // The code is the card's first line: no other cell of the row sits above it.
      expect(
        await codeBox.evaluate((el) =>
          Array.from(el.parentElement?.children ?? []).every((td) => td.getBoundingClientRect().top >= el.getBoundingClientRect().top),
        ),
      ).toBe(true);
      expect(await codeBox.locator('code').evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(28);
      expect(await codeBox.boundingBox().then((b) => b !== null && b.x + b.width <= PHONE.width)).toBe(true);
      expect(await fitsWidth(phone)).toBe(true);
      if (provider === 'authy') await h.screenshot('sandbox-phone-narrow', phone);

      // At desktop width the same rows are a table again.
      await phone.setViewportSize(DESKTOP);
      expect(await phone.locator('#approvals thead').isVisible()).toBe(true);
      expect(await fitsWidth(phone)).toBe(true);

      // The request's minute passes on the server: the phone shows it expired, with nothing to approve.
      ahead = 61_000;
      await phone.setViewportSize(PHONE);
      await request.locator('.cell-status', { hasText: 'expired (no answer in time)' }).waitFor();
      expect(await request.locator('.cell-answer .btn').count()).toBe(0);
      await page.close(); // the SPA stops polling
    },
    LONG_JOURNEY_MS,
  );

  test(
    `/2fa: a label for each way, what was sent beside the code field, Send again counting down, errors beside their cause, Cancel (${first.width} and ${second.width} px)`,
    async () => {
      const { page, app } = h;
      const u = user();
      await registerUser(app, u);
      await page.setViewportSize(first);
      // The page's clock runs, and the test moves it on instead of waiting for the countdown.
      await page.clock.install();
      await logIn(page, u);
      const label = (id: string) => page.textContent(`#${id}`).then((t) => t?.replace(/\s+/g, ' ').trim());
      expect(await label('sms')).toBe('SMS A text message with a code');
      expect(await label('voice')).toBe('Voice call A call that reads out a code');
      expect(await label('push')).toBe(`Approve on your phone A request in ${product.pushApp}: no code to type`);
      expect(await label('use-app')).toBe('Authenticator app The code your app shows');
      expect(await page.textContent('main')).not.toMatch(/Push Auth|SoftToken/);
      expect(await page.getAttribute('#token', 'placeholder')).toBe('6-digit code');
      expect(await page.textContent('#signed-in-user')).toBe(u.username);

      await page.click('#sms');
      expect(await page.textContent('#code-sent')).toBe(`Code sent by SMS to …${u.phone.slice(-4)}, valid 10 minutes.`);
      expect(await page.textContent('main')).not.toContain(u.phone.replace(/\D/g, '').slice(-7));
      expect(await page.isDisabled('#resend')).toBe(true);
      // As shown (innerText: the words are not run together).
      expect(await page.innerText('#resend')).toMatch(/^Send again in (29|30) s$/);
      await h.screenshot(`twofa-code-sent-${provider}`);
      await page.clock.fastForward(10_000);
      expect(await page.textContent('#resend-in')).toMatch(/^ in (19|20) s$/);
      await page.clock.fastForward(21_000);
      await page.locator('#resend:not([disabled])').waitFor();
      expect((await page.textContent('#resend'))?.trim()).toBe('Send again');
      expect(await fitsWidth(page)).toBe(true);

      // A wrong code: the error shows under the code field, not by the buttons that send codes.
      h.allowHttp(401, '/api/accountsecurity/verify');
      await page.fill('#token', '0000000');
      await page.click('#verify');
      expect(await page.locator('#check-messages p.message.error').textContent()).toContain('That token is not valid.');
      expect(await page.locator('#send-messages p.message').count()).toBe(0);

      await page.setViewportSize(second);
      expect(await withinWidth(page, '#resend')).toBe(true);
      expect(await withinWidth(page, '#cancel')).toBe(true);
      expect(await fitsWidth(page)).toBe(true);

      // Cancel logs out: back on /login, nobody signed in, and /2fa is closed again.
      await page.click('#cancel');
      await waitForPath(page, '/login');
      await page.locator('#username').waitFor();
      expect(await page.locator('#signed-in').count()).toBe(0);
      const state = await page.evaluate(() =>
        fetch('/api/loggedIn', {
          method: 'POST',
          headers: { 'X-XSRF-TOKEN': decodeURIComponent(/XSRF-TOKEN=([^;]+)/.exec(document.cookie)?.[1] ?? '') },
        }).then((r) => r.json() as Promise<unknown>),
      );
      expect(state).toEqual({ url: '/login' });
    },
    LONG_JOURNEY_MS,
  );

  test(
    `signed in: the header names the user and logs out; the forms are passed by; /protected signed out asks to log in and comes back (${second.width} and ${first.width} px)`,
    async () => {
      const { page, app } = h;
      const u = user();
      await registerUser(app, u);
      await page.setViewportSize(second);
      await page.goto('/protected');
      await waitForPath(page, '/login');
      expect(await page.textContent('#login-reason')).toBe('Log in to see that page.');
      await page.fill('#username', u.username);
      await page.fill('#password', u.password);
      await page.click('#login');
      await waitForPath(page, '/2fa');
      expect(await page.textContent('#signed-in-user')).toBe(u.username);
      // 2FA pending: the forms and "Two-factor Auth" lead to /2fa.
      await page.goto('/register');
      await waitForPath(page, '/2fa');
      await page.click('#sms');
      await page.fill('#token', await codeSentTo(app, u.phone, 'sms', provider === 'authy' ? '2fa' : 'verify'));
      await page.click('#verify');
      await reachProtected(page, u.username);
      expect(await withinWidth(page, '#logout')).toBe(true);
      expect(await fitsWidth(page)).toBe(true);
      // At desktop width the header is one row: "Signed in as …" beside the brand and the five links, not under them.
      await page.setViewportSize(DESKTOP);
      await page.locator('#nav-account').waitFor();
      expect(await oneLine(page, '.site-header__inner')).toBe(true);
      await page.setViewportSize(second);

      await page.setViewportSize(first);
      for (const go of [() => page.click('#nav-2fa'), () => page.goto('/login'), () => page.goto('/register')]) {
        await page.click('#nav-home');
        await waitForPath(page, '/');
        await go();
        await reachProtected(page, u.username);
      }
      expect(await page.textContent('#signed-in-user')).toBe(u.username);
      // One Log out, in the header.
      expect(await page.locator('main #logout, main button', { hasText: /log ?out/i }).count()).toBe(0);
      if (provider === 'verify') await h.screenshot('signed-in-header');
      await page.click('#logout');
      await waitForPath(page, '/');
      expect(await page.textContent('#info-notice')).toBe('You are logged out.');
      expect(await page.locator('#signed-in').count()).toBe(0);
      // The next page no longer says so.
      await page.click('#nav-verification');
      await waitForPath(page, '/verification');
      expect(await page.locator('#info-notice').count()).toBe(0);
    },
    LONG_JOURNEY_MS,
  );

  test(
    `passkeys: named after the browser; Remove asks first; after "Confirm with 2FA" (which says why) the removal finishes by itself (${first.width} and ${second.width} px)`,
    async () => {
      const { page, app } = h;
      const u = user();
      await registerUser(app, u);
      await page.setViewportSize(first);
      await virtualAuthenticator(page);
      await logIn(page, u);
      await page.click('#sms');
      const purpose = provider === 'authy' ? '2fa' : 'verify';
      const code = await codeSentTo(app, u.phone, 'sms', purpose);
      await page.fill('#token', code);
      await page.click('#verify');
      await reachProtected(page, u.username);
      await openAccount(page);
      await page.locator('#no-passkeys').waitFor();
      await page.click('#add-passkey');
      expect(await statusShown(page)).toBe('Passkey added as “Chrome on Linux”. You can rename it.');

      // Six minutes on, removing needs a new check.
      ahead = 6 * 60_000;
      const row = page.locator('#passkey-0');
      await row.locator('.passkey__remove').click();
      expect((await row.locator('.passkey__confirm').innerText()).replace(/\s+/g, ' ')).toContain('Remove “Chrome on Linux”?');
      expect(await withinWidth(page, '#passkey-0 .passkey__confirm-remove')).toBe(true);
      expect(await fitsWidth(page)).toBe(true);
      await row.locator('.passkey__keep').click();
      expect(await row.locator('.passkey__name').textContent()).toBe('Chrome on Linux');

      const id = await page.evaluate(() => fetch('/api/passkeys').then((r) => r.json() as Promise<{ passkeys: { id: string }[] }>));
      h.allowHttp(403, `/api/passkeys/${id.passkeys[0].id}`);
      await row.locator('.passkey__remove').click();
      await row.locator('.passkey__confirm-remove').click();
      await page.locator('#confirm-2fa').waitFor();
      await page.click('#confirm-2fa');
      await waitForPath(page, '/2fa');
      expect(await page.textContent('#check-reason')).toBe('Confirm it is you to remove the passkey.');
      await page.setViewportSize(second);
      expect(await fitsWidth(page)).toBe(true);
      await page.click('#sms');
      await page.fill('#token', await codeSentTo(app, u.phone, 'sms', purpose, code));
      await page.click('#verify');
      // Back on /account, the removal went through without another press.
      await waitForPath(page, '/account');
      expect(await statusShown(page)).toBe('“Chrome on Linux” removed.');
      await page.locator('#no-passkeys').waitFor();
      expect(await fitsWidth(page)).toBe(true);
    },
    LONG_JOURNEY_MS,
  );

  test('a mistyped address: an HTML 404 with a link home, at both widths', async () => {
    const { page } = h;
    h.allowHttp(404, '/no/such-page');
    await page.setViewportSize(PHONE);
    const res = await page.goto('/no/such-page');
    expect(res?.status()).toBe(404);
    expect(res?.headers()['content-type']).toMatch(/^text\/html/);
    expect(await page.textContent('main h1')).toBe('Page not found');
    expect(await page.textContent('#missing-path')).toBe('/no/such-page');
    expect(pathOf(page)).toBe('/no/such-page');
    expect(await withinWidth(page, '#go-home')).toBe(true);
    expect(await fitsWidth(page)).toBe(true);
    await page.setViewportSize(DESKTOP);
    expect(await page.isVisible('#go-home')).toBe(true);
    await page.click('#go-home');
    await waitForPath(page, '/');
    expect(await page.textContent('main h1')).toBe('Account Security Demos');
  });

  return h;
}
