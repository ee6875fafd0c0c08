// What a person meets on Authy, at desktop and phone widths (test/support/experience.ts), and the
// password reset, which is the same on both providers (the mail and the pages are the app's own).
import { RESET_REQUESTED } from '../../server/reset/reset.routes';
import { logIn, newUser, registerUser, waitForPath } from '../support/browser';
import { DESKTOP, describeExperience, fitsWidth, PHONE } from '../support/experience';
import { forbidSecret } from '../support/no-secrets';

const h = describeExperience('authy', 5100);

test('Forgot password?: the link from the sandbox mail, a new password, then the second factor is still asked', async () => {
  const { page } = h;
  const u = newUser('xr', 5190);
  await registerUser(h.app, u);
  await page.setViewportSize(DESKTOP);
  await page.goto('/login');
  await page.click('#forgot-password');
  await waitForPath(page, '/forgot-password');
  await page.fill('#email', u.email);
  await page.click('#send-reset');
  expect(await page.textContent('#reset-sent')).toBe(RESET_REQUESTED);

  // The sandbox phone's Mail section, at phone width: the link in the mail to this address.
  const phone = await h.newPage(await h.newContext());
  await phone.setViewportSize(PHONE);
  await phone.goto('/sandbox');
  const mail = phone.locator('.mail', { hasText: u.email });
  await mail.waitFor();
  expect(await mail.locator('.mail__subject').textContent()).toBe('Choose a new password');
  expect(await mail.locator('.mail__text').textContent()).toContain(`Hello ${u.username},`);
  expect(await fitsWidth(phone)).toBe(true);
  const link = (await mail.locator('.mail__link').getAttribute('href')) ?? '';
  expect(link).toMatch(/^http:\/\/localhost:\d+\/reset-password\?token=[\w-]{43}$/);
  forbidSecret('a password reset token', new URL(link).searchParams.get('token') ?? 'no token');
  await phone.context().close();

  // The link opens the form; the new password ends at /login, which says the second factor remains.
  await page.goto(link);
  const password = 'a brand new passphrase';
  await page.fill('#password', password);
  await page.fill('#password2', password);
  await page.click('#reset-submit');
  await waitForPath(page, '/login');
  expect(await page.textContent('#info-notice')).toBe('Your password is changed. Log in with it; your second factor is still asked.');
  await logIn(page, { ...u, password });
  await page.locator('#sms').waitFor();
  expect(await fitsWidth(page)).toBe(true);
});
