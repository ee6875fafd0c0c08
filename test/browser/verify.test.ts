// The journeys in real Chromium with the app on Twilio Verify v2, played by the sandbox (as
// `TWOFA_PROVIDER=verify npm start` runs with no credentials): the soft token's QR code on /2fa
// for the login that registered, until its first code; else "Set up an authenticator app" on
// /account, behind a fresh second factor; then SMS, voice, the soft token again, push
// approved on /sandbox, and phone verification by SMS and by call. The same journeys on Authy:
// the other browser files.
import type { Page } from 'playwright-core';
import {
  codeSentTo,
  httpSettled,
  logIn,
  newUser,
  logOutFromProtected,
  openAccount,
  pendingApproval,
  reachProtected,
  registerUser,
  softToken,
  statusShown,
  submitRegistration,
  useBrowser,
  verifyIdentityOf,
  waitFor,
  waitForPath,
  type TestUser,
} from '../support/browser';

/** The server's clock: real time, moved on by `skipped` (a multiple of 30 s, the soft token's step). */
let skipped = 0;
const h = useBrowser({ provider: 'verify', now: () => Date.now() + skipped });
const steps = () => skipped / 30_000;
const user = () => newUser('vfy', 2900);

async function verifyToken(page: Page, token: string, u: TestUser) {
  await page.fill('#token', token);
  await page.click('#verify');
  await reachProtected(page, u.username);
}

async function logOutAndIn(page: Page, u: TestUser) {
  await logOutFromProtected(page);
  await logIn(page, u);
}

test('register → /2fa shows the QR code → its first code → /protected; next login: no QR code, an SMS code', async () => {
  const { page, app } = h;
  const u = user();
  await page.goto('/register');
  await submitRegistration(page, u);

  const qr = page.locator('#enrol-qr');
  await qr.waitFor({ state: 'visible' });
  expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
  expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  expect(await page.getAttribute('#enrol-link', 'href')).toMatch(/^otpauth:\/\/totp\//);
  await h.screenshot('verify-enrol');
  // "Scanning" the code: the sandbox holds the secret the QR code carries.
  await verifyToken(page, await softToken(app, await verifyIdentityOf(app, u.username)), u);

  // Set up: nothing to set up on /account.
  await openAccount(page);
  expect(await page.locator('#authenticator-setup').count()).toBe(0);

  await logOutAndIn(page, u);
  await httpSettled(page);
  expect(await page.locator('#enrol').count()).toBe(0);
  await page.click('#sms');
  expect(await statusShown(page)).toBe(`Code sent by SMS to …${u.phone.slice(-4)}, valid 10 minutes.`);
  await verifyToken(page, await codeSentTo(app, u.phone, 'sms', 'verify'), u);
});

test('login → Voice code → /account sets up the authenticator app; next login: its code (a Verify challenge)', async () => {
  const { page, app } = h;
  const u = user();
  await registerUser(app, u);
  // A login with the password alone: /2fa shows no QR code.
  await logIn(page, u);
  await httpSettled(page);
  expect(await page.locator('#enrol').count()).toBe(0);
  await page.click('#voice');
  expect(await statusShown(page)).toBe(`Calling …${u.phone.slice(-4)} with a code, valid 10 minutes.`);
  await verifyToken(page, await codeSentTo(app, u.phone, 'call', 'verify'), u);

  // 2FA just now is the fresh check: /account shows the QR code of the factor still waiting.
  const identity = await verifyIdentityOf(app, u.username);
  await openAccount(page);
  const qr = page.locator('#setup-qr');
  await qr.waitFor({ state: 'visible' });
  expect(await page.getAttribute('#setup-link', 'href')).toMatch(/^otpauth:\/\/totp\//);
  await page.fill('#setup-token', await softToken(app, identity, steps()));
  await page.click('#setup-verify');
  expect(await statusShown(page)).toBe('Your authenticator app is set up: its codes work at /2fa from now on.');
  expect(await qr.count()).toBe(0);

  // Enrolled: the next code is checked as a challenge (the next time step: each is used once).
  await logOutAndIn(page, u);
  await httpSettled(page);
  expect(await page.locator('#enrol').count()).toBe(0);
  await verifyToken(page, await softToken(app, identity, steps() + 1), u);
  await openAccount(page);
  expect(await page.locator('#authenticator-setup').count()).toBe(0);
  expect(await page.locator('#authenticator-ready').count()).toBe(1);
});

test('set up later, once the fresh check lapsed: "Confirm with 2FA", then the QR code', async () => {
  const { page, app } = h;
  const u = user();
  await registerUser(app, u);
  await logIn(page, u);
  await page.click('#sms');
  await verifyToken(page, await codeSentTo(app, u.phone, 'sms', 'verify'), u);
  await openAccount(page);
  await page.locator('#setup-qr').waitFor({ state: 'visible' });

  // Six minutes on (the server's clock), a new visit to /account asks to confirm first.
  skipped += 6 * 60 * 1000;
  h.allowHttp(403, '/api/accountsecurity/softtoken');
  await page.reload();
  await page.locator('#authenticator-recheck').waitFor({ state: 'visible' });
  expect(await page.locator('#setup-qr').count()).toBe(0);
  await page.click('#setup-confirm-2fa');
  await waitForPath(page, '/2fa');
  await httpSettled(page);
  expect(await page.locator('#enrol').count()).toBe(0);
  await page.click('#sms');
  expect(await statusShown(page)).toBe(`Code sent by SMS to …${u.phone.slice(-4)}, valid 10 minutes.`);
  // Back to /account once the check passed.
  await page.fill('#token', await codeSentTo(app, u.phone, 'sms', 'verify'));
  await page.click('#verify');
  await waitForPath(page, '/account');
  await page.fill('#setup-token', await softToken(app, await verifyIdentityOf(app, u.username), steps()));
  await page.click('#setup-verify');
  expect(await statusShown(page)).toBe('Your authenticator app is set up: its codes work at /2fa from now on.');
});

test('Push Auth approved on /sandbox ("the phone", standing in for the Verify Push SDK) → /protected', async () => {
  const { page, app } = h;
  const u = user();
  await registerUser(app, u);
  // The page's clock runs, and the test can move it on to the next poll (the 12 × 5 s schedule: push.test.ts).
  await page.clock.install();
  await logIn(page, u);
  await page.click('#push');
  expect(await statusShown(page)).toBe('Request sent: approve it in the app on your phone.');
  await page.locator('#push-waiting').waitFor({ state: 'visible' });

  const challenge = await pendingApproval(app, await verifyIdentityOf(app, u.username));
  expect(challenge.uuid).toMatch(/^YC[0-9a-f]{32}$/);
  const phone = await h.newPage(await h.newContext());
  await phone.goto('/sandbox');
  await phone.locator(`#approve-${challenge.uuid}`).click();
  await waitFor('the challenge to be approved', async () => {
    const list = (await (await fetch(`${app.baseUrl}/sandbox/approvals.json`)).json()) as { uuid: string; status: string }[];
    return list.find((a) => a.uuid === challenge.uuid)?.status === 'approved';
  });
  await phone.close();
  // The signed webhook recorded the answer; the next poll (5 s on the page's clock) passes 2FA.
  await page.clock.runFor(5000);
  await reachProtected(page, u.username);
});

test('phone verification by SMS and by call → /verified', async () => {
  const { page, app } = h;
  for (const [via, phone] of [
    ['sms', '415-555-2991'],
    ['call', '415-555-2992'],
  ] as const) {
    await page.goto('/verification');
    await page.selectOption('#country_code', 'US');
    await page.fill('#phone_number', phone);
    await page.check(via === 'sms' ? '#via-sms' : '#via-call');
    await page.click('#send-code');
    expect(await statusShown(page)).toBe(
      via === 'sms'
        ? `Code sent by SMS to …${phone.slice(-4)}, valid 10 minutes.`
        : `Calling …${phone.slice(-4)} with a code, valid 10 minutes.`,
    );
    await page.fill('#code', await codeSentTo(app, phone, via, 'verify'));
    await page.click('#verify-code');
    await waitForPath(page, '/verified');
    expect(await page.textContent('#verified-phone')).toContain(`+1 415 555 ${phone.slice(-4)}`);
  }
});
