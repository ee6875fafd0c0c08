// Two-factor journeys in real Chromium against the app in sandbox mode: register, then each of
// the SMS, voice and soft-token channels to /protected, and logout (push: push.test.ts).
import {
  authyIdOf,
  codeSentTo,
  httpSettled,
  logIn,
  newUser,
  reachProtected,
  registerUser,
  softToken,
  statusShown,
  useBrowser,
  waitForPath,
} from '../support/browser';

const h = useBrowser();
const user = () => newUser('tfa', 2600);

test('register → SMS code → /protected → logout → /protected is refused', async () => {
  const { page, app } = h;
  const u = user();
  await page.goto('/');
  await page.click('#choose-2fa');
  await waitForPath(page, '/register');

  await page.fill('#username', u.username);
  await page.fill('#email', u.email);
  await page.selectOption('#country_code', 'US');
  await page.fill('#phone_number', u.phone);
  await page.fill('#password', u.password);
  await page.fill('#password2', u.password);
  await page.click('#register');
  await waitForPath(page, '/2fa');
  await h.screenshot('2fa');

  await page.click('#sms');
  expect(await statusShown(page)).toMatch(/^Code sent by SMS to …\d{4}, valid 10 minutes\.$/);
  expect(await statusShown(page)).toContain(u.phone.slice(-4));
  const code = await codeSentTo(app, u.phone, 'sms', '2fa');
  await page.fill('#token', code);
  await page.click('#verify');
  await reachProtected(page, u.username);
  // The Authy app enrols itself: nothing to set up here.
  await httpSettled(page);
  expect(await page.locator('#authenticator-setup').count()).toBe(0);
  await h.screenshot('protected');

  await page.click('#logout');
  await waitForPath(page, '/');
  // Back in history: the client guard asks the server and goes to /login instead.
  await page.goBack();
  await waitForPath(page, '/login');
  expect(await page.locator('#protected-content').count()).toBe(0);
  // A direct load: the server answers 302 /login.
  const res = await page.goto('/protected');
  expect(res?.request().redirectedFrom()?.url()).toMatch(/\/protected$/);
  await waitForPath(page, '/login');
  await page.locator('#username').waitFor();
  expect(await page.locator('#protected-content').count()).toBe(0);
});

test('login → Voice code → /protected', async () => {
  const { page, app } = h;
  const u = user();
  await registerUser(app, u);
  await logIn(page, u);
  await page.click('#voice');
  expect(await statusShown(page)).toMatch(/^Calling …\d{4} with a code, valid 10 minutes\.$/);
  const code = await codeSentTo(app, u.phone, 'call', '2fa');
  await page.fill('#token', code);
  await page.click('#verify');
  await reachProtected(page, u.username);
});

test('login → soft token from the TOTP secret → /protected', async () => {
  const { page, app } = h;
  const u = user();
  await registerUser(app, u);
  const authyId = await authyIdOf(app, u.username);
  await logIn(page, u);
  // The Authy app enrols itself: /2fa shows no QR code (Verify's is in verify.test.ts).
  await httpSettled(page);
  expect(await page.locator('#enrol').count()).toBe(0);
  await page.fill('#token', await softToken(app, authyId));
  await page.click('#verify');
  await reachProtected(page, u.username);
});
