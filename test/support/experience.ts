// What a person meets, in real Chromium at desktop (1280×800) and phone (390×844) widths, for one
// provider per test file (test/browser/experience*.test.ts): the provider's name on /protected
// and /verified, limit messages in minutes, the registration form's rules and country search,
// the sandbox phone as cards on a phone (and a push that ran out shown expired), and the HTML 404.
// One app and one browser per file; one page changes width instead of opening another.
import type { Page } from 'playwright-core';
import { PRODUCTS } from '../../common/products';
import type { ProviderName } from '../../server/platform/config';
import {
  codeSentTo,
  errorShown,
  logIn,
  newUser,
  pathOf,
  reachProtected,
  registerUser,
  statusShown,
  useBrowser,
  waitFor,
  waitForPath,
} from './browser';

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
/** Two journeys in one test take longer than Jest's 30 s on a busy machine. */
const LONG_JOURNEY_MS = 60_000;

/** Nothing is wider than the window: no sideways scrolling. */
const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/** The element is shown and lies within the window's width. */
async function withinWidth(page: Page, selector: string): Promise<boolean> {
  const box = await page.locator(selector).boundingBox();
  const width = page.viewportSize()?.width ?? 0;
  return box !== null && box.width > 0 && box.x >= 0 && box.x + box.width <= width;
}

export function describeExperience(provider: ProviderName, phoneBase: number): void {
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
}
