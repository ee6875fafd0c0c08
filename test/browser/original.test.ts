// The original quickstart's pages and words, and registration from any country: the home page's
// demos and resource links, /protected's and /verified's texts, a Bangladeshi number checked
// and shown in E.164 before it is sent, and the Sandbox link only in sandbox mode.
import { openTestDatabase, type TestDatabase } from '../support/db';
import { authyIdOf, codeSentTo, newUser, pathOf, softToken, submitRegistration, useBrowser, waitForPath } from '../support/browser';
import { createLogger } from '../../server/platform/logger';
import { PUBLIC_DIR } from '../../server/platform/paths';
import { startServer, type RunningServer } from '../../server/start/start-server';
import { TEST_SCRYPT, TEST_SESSION_SECRET, testConfig } from '../support/app';

const h = useBrowser();

const HOME_LINKS = [
  ['Account Security Info', 'https://www.twilio.com/authy'],
  ['Command Line Examples', 'https://github.com/AuthySE/Authy-API-Samples'],
  ['Authy Postman Collection', 'https://github.com/AuthySE/Authy-API-Samples/tree/master/postman'],
  ['Authy Form Helpers', 'https://github.com/Authy/authy-form-helpers'],
  ['Quickstart Demo Repository', 'https://github.com/TwilioDevEd/account-security-quickstart-node'],
];
const PAGE_LINKS = [['Authy Info', 'https://www.twilio.com/authy'], ...HOME_LINKS.slice(1, 4), ['Quickstart Repository', HOME_LINKS[4][1]]];

const linksOf = (page: import('playwright-core').Page) =>
  page.$$eval('main .resource-links a', (as) => as.map((a) => [a.textContent?.trim() ?? '', a.getAttribute('href') ?? '']));

test('home: "Account Security Demos", its two demos and its resource links; "Two-factor Auth" opens /register/', async () => {
  const { page } = h;
  await page.goto('/');
  expect(await page.textContent('main h1')).toBe('Account Security Demos');
  expect(await page.textContent('main .intro p')).toBe('Implementations of both Phone Verification and Two-Factor Authentication');
  expect(await page.textContent('#choose-verification h2')).toBe('Phone Verification');
  expect(await page.textContent('#choose-2fa h2')).toBe('Two-factor Auth');
  expect(await linksOf(page)).toEqual(HOME_LINKS);
  await page.click('#choose-2fa');
  await waitForPath(page, '/register');
  await page.locator('#register').waitFor();
});

test('register from Bangladesh (+880): the number is checked for the country and shown in E.164 before it is sent', async () => {
  const { page, app } = h;
  const u = { ...newUser('bd', 3300), phone: `01712-3${String(Date.now() % 100000).padStart(5, '0')}` };
  await page.goto('/register');
  // Typing in the search selects its first match; Enter keeps it and moves on to the number.
  await page.fill('#country_search', 'bangla');
  expect(await page.$$eval('#country_code option', (os) => os.map((o) => o.textContent?.trim()))).toEqual(['Bangladesh (+880)']);
  expect(await page.$eval('#country_code', (s) => (s as HTMLSelectElement).selectedOptions[0]?.textContent?.trim())).toBe(
    'Bangladesh (+880)',
  );
  await page.press('#country_search', 'Enter');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('phone_number');
  expect(pathOf(page)).toBe('/register');
  await page.fill('#username', u.username);
  await page.fill('#email', u.email);
  await page.fill('#password', u.password);
  await page.fill('#password2', u.password);

  // A number that is not Bangladeshi: said on the page, and the form is not sent.
  await page.fill('#phone_number', '0171234');
  expect(await page.textContent('#phone_check')).toContain('Phone number is not a valid Bangladesh number.');
  let sent = 0;
  page.on('request', (r) => void (r.url().endsWith('/api/user/register') && sent++));
  await page.click('#register');
  expect(await page.$eval('#phone_number', (el) => (el as HTMLInputElement).validationMessage)).toBe(
    'Phone number is not a valid Bangladesh number.',
  );

  await page.fill('#phone_number', u.phone);
  const e164 = `+880${u.phone.replace(/\D/g, '').slice(1)}`;
  expect(await page.textContent('#phone_e164')).toBe(e164);
  await page.click('#register');
  await waitForPath(page, '/2fa');
  expect(sent).toBe(1);

  await page.click('#sms');
  await codeSentTo(app, u.phone, 'sms', '2fa');
  const inbox = (await (await fetch(`${app.baseUrl}/sandbox/inbox.json`)).json()) as { to: string }[];
  expect(inbox[0].to).toMatch(/^\+880 /);
});

test('/protected on Authy: "Protected by Twilio Authy 2FA", the congratulation and the links; /verified names Authy', async () => {
  const { page, app } = h;
  const u = newUser('orig', 3400);
  await page.goto('/register');
  await submitRegistration(page, u);
  expect(await page.getAttribute('#token', 'placeholder')).toBe('6-digit code');
  await page.fill('#token', await softToken(app, await authyIdOf(h.app, u.username)));
  await page.click('#verify');
  await waitForPath(page, '/protected');
  await page.locator('#protected-content').waitFor();
  expect(await page.textContent('main h1')).toBe('Protected by Twilio Authy 2FA');
  expect((await page.textContent('#protected-content .lead'))?.replace(/\s+/g, ' ').trim()).toBe(
    'Congrats! You have successfully implemented Twilio Authy Two-factor Authentication. Browse the links below for more information related to Twilio Account Security.',
  );
  expect(await linksOf(page)).toEqual(PAGE_LINKS);

  await page.goto('/verification/');
  await page.fill('#phone_number', u.phone);
  await page.click('#send-code');
  await page.locator('#code').waitFor();
  await page.fill('#code', await codeSentTo(app, u.phone, 'sms', 'verification'));
  await page.click('#verify-code');
  await waitForPath(page, '/verified');
  expect(await page.textContent('#verified-message')).toBe('Congratulations. You have verified your phone!');
  expect(await page.textContent('main h1')).toBe('Protected by Twilio Authy');
  expect(await linksOf(page)).toEqual(PAGE_LINKS);
});

describe('the Sandbox link', () => {
  let db: TestDatabase | undefined;
  let withKey: RunningServer | undefined;
  afterAll(async () => {
    await withKey?.close(0);
    await db?.close();
  });

  test('shows in sandbox mode and leads to the phone page', async () => {
    const { page } = h;
    await page.goto('/');
    await page.locator('#nav-sandbox').waitFor();
    await page.click('#nav-sandbox');
    await page.locator('h1', { hasText: 'The sandbox phone' }).waitFor();
  });

  test('is absent with a real key, where /sandbox is a 404', async () => {
    db = await openTestDatabase();
    withKey = await startServer({
      config: ({ url }) =>
        testConfig({ publicUrl: url, sandbox: false, authyApiKey: 'a-real-key-never-called', authyApiUrl: 'http://127.0.0.1:9' }),
      port: 0,
      host: '127.0.0.1',
      connection: db.connection,
      isFerretDB: db.isFerretDB,
      logger: createLogger('silent'),
      sessionSecret: TEST_SESSION_SECRET,
      sandboxKey: '',
      sandboxAuthToken: '',
      publicDir: PUBLIC_DIR,
      passwordParams: TEST_SCRYPT,
    });
    const page = await h.newPage(await h.newContext(withKey.url));
    const asked = page.waitForResponse((r) => r.url().endsWith('/api/config'));
    await page.goto('/');
    // PUBLIC_URL names an IP address here, which browsers refuse as a passkey's site: passkeys are off.
    expect(await (await asked).json()).toEqual({
      provider: 'authy',
      sandbox: false,
      passkeyOrigin: null,
      rememberBrowserDays: 30,
      passwordReset: false,
    });
    await page.locator('#nav-verification').waitFor();
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(await page.locator('#nav-sandbox').count()).toBe(0);
    expect((await fetch(`${withKey.url}/sandbox`)).status).toBe(404);
  });
});
