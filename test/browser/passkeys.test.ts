// Passkeys in real Chromium, with its virtual authenticator (CDP WebAuthn: ctap2, internal
// transport, resident keys, user verification) as the person's device: enrol on /account,
// pass 2FA with it, sign in with it alone, remove it; and an authenticator that refuses user
// verification.
import type { Page } from 'playwright-core';
import {
  authyIdOf,
  errorShown,
  httpSettled,
  logIn,
  newUser,
  openAccount,
  logOutFromProtected,
  pathOf,
  reachProtected,
  registerUser,
  softToken,
  statusShown,
  useBrowser,
  waitForPath,
  type TestUser,
} from '../support/browser';
import { virtualAuthenticator } from '../support/virtual-authenticator';

const h = useBrowser();
const user = () => newUser('pk', 2800);

/** Registered through the API, then password and soft token through the pages: on /protected. */
async function toProtected(page: Page, u: TestUser): Promise<void> {
  await registerUser(h.app, u);
  await logIn(page, u);
  await page.fill('#token', await softToken(h.app, await authyIdOf(h.app, u.username)));
  await page.click('#verify');
  await reachProtected(page, u.username);
}

async function addPasskey(page: Page): Promise<void> {
  await page.locator('#no-passkeys').waitFor();
  await page.click('#add-passkey');
  expect(await statusShown(page)).toBe('Passkey added as “Chrome on Linux”. You can rename it.');
}

const logOut = logOutFromProtected;

test('enrol a passkey; pass 2FA with it; sign in with it alone; remove it, and the option is gone', async () => {
  const { page } = h;
  const u = user();
  const { cdp, authenticatorId } = await virtualAuthenticator(page);
  await toProtected(page, u);
  await openAccount(page);

  // Enrol, then rename in the list.
  await addPasskey(page);
  const row = page.locator('#passkey-0');
  await row.locator('.passkey__rename').click();
  await row.locator('.passkey__name-input').fill('This laptop');
  await row.locator('.passkey__save').click();
  expect(await statusShown(page)).toBe('Renamed to “This laptop”.');
  expect(await row.locator('.passkey__name').textContent()).toBe('This laptop');
  expect(await row.locator('.passkey__dates').innerText()).toMatch(/^Added .+ · never used$/);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials).toEqual([expect.objectContaining({ rpId: 'localhost', isResidentCredential: true })]);
  await page.locator('#passkeys').evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await h.screenshot('passkeys');

  // Password, then the passkey as the second factor.
  await logOut(page);
  await logIn(page, u);
  await page.click('#use-passkey');
  await reachProtected(page, u.username);
  await openAccount(page);
  expect(await page.locator('#passkey-0 .passkey__dates').innerText()).toMatch(/ · last used .+$/);

  // The passkey alone: no username, no password, no code.
  await logOut(page);
  await page.goto('/login');
  await page.click('#passkey-signin');
  await reachProtected(page, u.username);
  await openAccount(page);

  // Remove it, once confirmed (the sign-in just now is the fresh check removal needs).
  await page.locator('#passkey-0 .passkey__remove').click();
  await page.locator('#passkey-0 .passkey__confirm-remove').click();
  expect(await statusShown(page)).toBe('“This laptop” removed.');
  await page.locator('#no-passkeys').waitFor();

  // /2fa no longer offers it, and the key the device still holds no longer signs in.
  await logOut(page);
  const asked = page.waitForResponse((r) => r.url().endsWith('/api/passkeys/available'));
  await logIn(page, u);
  expect(await (await asked).json()).toEqual({ available: false });
  await httpSettled(page);
  await page.locator('#token').waitFor();
  expect(await page.locator('#use-passkey').count()).toBe(0);
  h.allowHttp(401, '/api/passkeys/sign-in');
  // Signed in at the password stage, /login would lead on to /2fa: Cancel logs out and opens it.
  await page.click('#cancel');
  await waitForPath(page, '/login');
  await page.click('#passkey-signin');
  expect(await errorShown(page)).toBe('That passkey is not registered here.');
  expect(pathOf(page)).toBe('/login');
  expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toHaveLength(1);
});

test('an authenticator that refuses user verification: no sign-in, a clear message, and the page stays usable', async () => {
  const { page } = h;
  const u = user();
  const { cdp, authenticatorId } = await virtualAuthenticator(page);
  await toProtected(page, u);
  await openAccount(page);
  await addPasskey(page);
  await logOut(page);

  await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
  await page.goto('/login');
  await page.click('#passkey-signin');
  expect(await errorShown(page)).toBe(
    'The passkey was not used: the request was cancelled, timed out, or your device could not check it was you.',
  );
  expect(pathOf(page)).toBe('/login');
  await h.screenshot('passkey-refused');

  // Still usable: the password works, and /2fa still offers the passkey (refused again here).
  await page.fill('#username', u.username);
  await page.fill('#password', u.password);
  await page.click('#login');
  await waitForPath(page, '/2fa');
  await page.click('#use-passkey');
  expect(await errorShown(page)).toMatch(/^The passkey was not used/);
  expect(pathOf(page)).toBe('/2fa');
});
