// The account's journeys in real Chromium on the sandbox, the same on Authy and on Verify
// (test/browser/account-authy.test.ts and account-verify.test.ts each run them on one app and
// one browser): recovery codes shown, downloaded, used once and refused the second time;
// "Remember this browser" skipping the second factor until it is forgotten; "Sign out other
// sessions" ending another context's session; password and phone changes; the activity list.
import type { Page } from 'playwright-core';
import type { ProviderName } from '../../server/platform/config';
import {
  codeSentTo,
  errorShown,
  httpSettled,
  logIn,
  logOutFromProtected,
  newUser,
  openAccount,
  reachProtected,
  registerUser,
  useBrowser,
  waitForPath,
  type BrowserSuite,
  type TestUser,
} from './browser';

const RECOVERY_USE = '/api/account/recovery-codes/use';
/** Each journey logs in several times (a password hash each) and waits for codes: more than Jest's 30 s under load. */
const JOURNEY_MS = 60_000;

export function accountJourneys(provider: ProviderName, phoneBase: number): void {
  const h: BrowserSuite = useBrowser({ provider });
  const user = () => newUser(`acct${provider[0]}`, phoneBase);
  /** What the sandbox files a 2FA code under, and a phone verification's. */
  const twofa = provider === 'verify' ? 'verify' : '2fa';
  const verification = provider === 'verify' ? 'verify' : 'verification';

  /** On /2fa: an SMS code (sent after `after`, if given), then Verify; ends where the SPA goes next. */
  async function passBySms(page: Page, u: TestUser, { remember = false, after }: { remember?: boolean; after?: string } = {}) {
    await page.click('#sms');
    const code = await codeSentTo(h.app, u.phone, 'sms', twofa, after);
    if (remember) await page.check('#remember-browser');
    await page.fill('#token', code);
    await page.click('#verify');
    return code;
  }

  /**
   * Registered through the API; password and SMS through the pages: on /protected, which shows
   * the first recovery codes. Returns the SMS code (a later SMS is told apart from it).
   */
  async function signedIn(page: Page, u: TestUser, options: { remember?: boolean } = {}): Promise<string> {
    await registerUser(h.app, u);
    await logIn(page, u);
    const code = await passBySms(page, u, options);
    await reachProtected(page, u.username);
    return code;
  }

  /** A section's success message, once shown. */
  async function said(page: Page, section: string): Promise<string> {
    const el = page.locator(`#${section} p.message.ok[role=status]`);
    await el.waitFor({ state: 'visible', timeout: 10_000 });
    return (await el.innerText()).trim();
  }

  const activity = async (page: Page) => (await page.locator('.activity__what').allInnerTexts()).map((t) => t.trim());

  test(
    'recovery codes: shown once on /protected, downloaded, used to pass 2FA, refused the second time; in the activity',
    async () => {
      const { page } = h;
      const u = user();
      const first = await signedIn(page, u);
      const list = page.locator('#first-recovery-codes .recovery-codes__list code');
      await list.first().waitFor();
      const codes = await list.allInnerTexts();
      expect(codes).toHaveLength(10);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('.recovery-codes__download')]);
      expect(download.suggestedFilename()).toBe('recovery-codes-localhost.txt');
      // The file as the browser saved it (streamed: the browser is a shared one, not on this process's disk).
      const text = Buffer.concat(await (await download.createReadStream()).toArray()).toString('utf8');
      for (const code of codes) expect(text).toContain(code);
      await page.click('#codes-saved');
      expect(await list.count()).toBe(0);

      // Lost phone: the password, then a code instead of the second factor.
      await logOutFromProtected(page);
      await logIn(page, u);
      await page.click('#use-recovery-code');
      await page.fill('#recovery-code', codes[0].toUpperCase());
      await page.click('#recovery-submit');
      await reachProtected(page, u.username);
      expect(await page.locator('#protected-said').innerText()).toBe('Recovery code accepted: 9 recovery codes left.');

      // The same code again is refused, and /2fa stays.
      await logOutFromProtected(page);
      await logIn(page, u);
      h.allowHttp(401, RECOVERY_USE);
      await page.click('#use-recovery-code');
      await page.fill('#recovery-code', codes[0]);
      await page.click('#recovery-submit');
      expect(await errorShown(page)).toBe('That recovery code is not valid, or it was used already.');
      await waitForPath(page, '/2fa');

      await passBySms(page, u, { after: first });
      await reachProtected(page, u.username);
      await openAccount(page);
      expect(await page.locator('#recovery-count').innerText()).toMatch(/^9 of 10 codes left/);
      expect(await activity(page)).toEqual([
        'Signed in with the password and a code',
        'Signed in with the password and a recovery code',
        'Recovery code used (9 codes left)',
        'Recovery codes made',
        'Signed in with the password and a code',
      ]);
      if (provider === 'authy') {
        await page.locator('#recovery-section').evaluate((el) => el.scrollIntoView({ block: 'start' }));
        await h.screenshot('account');
      }
      // Its time, browser and network: never the whole address.
      expect(await page.locator('.activity__event .item__meta').first().innerText()).toMatch(
        / · Chrome on Linux · network [0-9a-f:.]+\/\d+$/,
      );
    },
    JOURNEY_MS,
  );

  test(
    '"Remember this browser" skips the second factor at the next login; forgotten, it no longer does',
    async () => {
      const { page } = h;
      const u = user();
      const first = await signedIn(page, u, { remember: true });
      const remembered = async () => (await h.context.cookies()).find((c) => c.name === 'asq.rb');
      expect(await remembered()).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false });

      // The password alone: straight to /protected.
      await logOutFromProtected(page);
      await logIn(page, u, '/login', '/protected');
      await reachProtected(page, u.username);

      // Forgetting is a change: this login had no second factor, so it asks for one first (as does
      // Verify's authenticator app, never set up here, for its QR code).
      if (provider === 'verify') h.allowHttp(403, '/api/accountsecurity/softtoken');
      await openAccount(page);
      expect(await page.locator('#browser-0 .badge').innerText()).toBe('this browser');
      h.allowHttp(403, `/api/account/browsers/${await browserId(page)}`);
      await page.click('#browser-0 .browser__forget');
      await page.click('#browsers-section .recheck__2fa');
      await waitForPath(page, '/2fa');
      await passBySms(page, u, { after: first });
      await waitForPath(page, '/account');
      await page.locator('#browser-0').waitFor();
      await page.click('#browser-0 .browser__forget');
      await page.locator('#no-browsers').waitFor();
      expect(await said(page, 'browsers-section')).toBe('Chrome on Linux forgotten: it asks for the second factor again.');
      expect(await remembered()).toBeUndefined();

      await logOutFromProtected(page);
      await logIn(page, u);
      await page.locator('#sms').waitFor();
    },
    JOURNEY_MS,
  );

  async function browserId(page: Page): Promise<string> {
    return page.evaluate(async () => {
      const res = await fetch('/api/account/browsers', { headers: { Accept: 'application/json' } });
      const body = (await res.json()) as { browsers: { id: string }[] };
      return body.browsers[0].id;
    });
  }

  test(
    '"Sign out other sessions" ends the session of a second browser at its next request',
    async () => {
      const { page } = h;
      const u = user();
      const first = await signedIn(page, u);
      const other = await h.newPage(await h.newContext());
      await logIn(other, u);
      await passBySms(other, u, { after: first });
      await reachProtected(other, u.username);

      await openAccount(page);
      expect(await page.locator('.session').count()).toBe(2);
      expect(await page.locator('.session__current').count()).toBe(1);
      await page.click('#end-other-sessions');
      // The registration's own login, still at the password stage (registerUser), ends too.
      expect(await said(page, 'sessions-section')).toBe('2 other sessions signed out, 0 remembered browsers forgotten.');
      expect(await page.locator('.session').count()).toBe(1);

      // The other browser's next request finds no session: its page guard sends it to log in.
      await other.goto('/protected');
      await waitForPath(other, '/login');
      expect(await activity(page)).toContain('Signed out 2 other sessions');
    },
    JOURNEY_MS,
  );

  test(
    'password and phone changes: the new password logs in, and codes go to the new number',
    async () => {
      const { page } = h;
      const u = user();
      await signedIn(page, u);
      await openAccount(page);

      const password = `${u.password} again`;
      await page.fill('#current-password', u.password);
      await page.fill('#new-password', password);
      await page.fill('#new-password2', password);
      await page.click('#change-password');
      // The other session is the registration's login, still at the password stage (registerUser).
      expect(await said(page, 'password-section')).toBe('Password changed. 1 other session signed out, 0 remembered browsers forgotten.');

      const next = newUser('acctnew', phoneBase + 50);
      await page.click('#change-phone');
      await page.fill('#phone-section #phone_number', next.phone);
      await page.click('#send-phone-code');
      const newNumberCode = await codeSentTo(h.app, next.phone, 'sms', verification);
      await page.fill('#phone-code', newNumberCode);
      await page.click('#verify-phone-code');
      const masked = `+1-XXX-XXX-${next.phone.slice(-4)}`;
      expect(await said(page, 'phone-section')).toBe(`Your codes now go to ${masked}.`);
      expect(await page.locator('#current-phone').innerText()).toBe(masked);
      await httpSettled(page);
      expect(await activity(page)).toEqual(
        expect.arrayContaining([
          `Phone number changed to ${masked}`,
          'Password changed: other sessions signed out, remembered browsers forgotten',
        ]),
      );

      // The old password no longer works; the new one does, and the SMS goes to the new number.
      await logOutFromProtected(page);
      h.allowHttp(401, '/api/login');
      await page.goto('/login');
      await page.fill('#username', u.username);
      await page.fill('#password', u.password);
      await page.click('#login');
      expect(await errorShown(page)).toBe('Wrong username or password.');
      await logIn(page, { ...u, password });
      await passBySms(page, { ...u, phone: next.phone }, { after: newNumberCode });
      await reachProtected(page, u.username);
    },
    JOURNEY_MS,
  );
}
