// Phone verification by SMS and by call, and every form used with the keyboard only.
import type { Page } from 'playwright-core';
import {
  authyIdOf,
  codeSentTo,
  focusedId,
  newUser,
  softToken,
  statusShown,
  tabTo,
  unlabelledFields,
  useBrowser,
  waitForPath,
} from '../support/browser';

const h = useBrowser();
const user = () => newUser('kbd', 2800);
let phoneSeq = 2850;
const nextPhone = () => `415-555-${++phoneSeq}`;

describe('phone verification', () => {
  async function verifyPhone(page: Page, via: 'sms' | 'call') {
    const phone = nextPhone();
    await page.goto('/');
    await page.click('#choose-verification');
    await waitForPath(page, '/verification');
    await page.selectOption('#country_code', 'US');
    await page.fill('#phone_number', phone);
    await page.check(via === 'sms' ? '#via-sms' : '#via-call');
    await page.click('#send-code');
    await statusShown(page);
    await page.locator('#code').waitFor();
    const written = `+1 ${phone.replace(/-/g, ' ')}`; // 415-555-0123 → +1 415 555 0123
    expect(await page.textContent('label[for=code]')).toContain(written);
    if (via === 'sms') await h.screenshot('verification-code');
    const code = await codeSentTo(h.app, phone, via, 'verification');
    expect(code).toMatch(/^\d{4}$/);
    await page.fill('#code', code);
    await page.click('#verify-code');
    await waitForPath(page, '/verified');
    expect(await page.textContent('#verified-message')).toBe('Congratulations. You have verified your phone!');
    expect(await page.textContent('#verified-phone')).toContain(written);
  }

  test('by SMS → /verified (and /verified then loads directly)', async () => {
    const { page } = h;
    await verifyPhone(page, 'sms');
    await page.goto('/verified');
    await waitForPath(page, '/verified');
    await page.locator('#verified-message').waitFor();
  });

  test('by call → /verified', async () => {
    await verifyPhone(h.page, 'call');
  });
});

describe('keyboard only', () => {
  const press = (page: Page, key: string) => page.keyboard.press(key);
  const type = (page: Page, text: string) => page.keyboard.type(text);
  /** Tab once and check where the focus went. */
  async function tabExpect(page: Page, id: string) {
    await press(page, 'Tab');
    expect(await focusedId(page)).toBe(id);
  }

  test('register, SMS, token, logout, login, soft token: no mouse, every field labelled', async () => {
    const { page, app } = h;
    const u = user();
    await page.goto('/');
    await tabTo(page, '#choose-2fa');
    await press(page, 'Enter');
    await waitForPath(page, '/register');
    expect(await unlabelledFields(page)).toEqual([]);

    await tabTo(page, '#username');
    await type(page, u.username);
    await tabExpect(page, 'email');
    await type(page, u.email);
    await tabExpect(page, 'country_search');
    await tabExpect(page, 'country_code');
    expect(await page.inputValue('#country_code')).toBe('US');
    await tabExpect(page, 'phone_number');
    await type(page, u.phone);
    await tabExpect(page, 'password');
    await type(page, u.password);
    await tabExpect(page, 'password2');
    await type(page, u.password);
    await press(page, 'Enter');
    await waitForPath(page, '/2fa');
    expect(await unlabelledFields(page)).toEqual([]);

    await tabTo(page, '#sms');
    await press(page, 'Enter');
    await statusShown(page);
    const code = await codeSentTo(app, u.phone, 'sms', '2fa');
    await tabTo(page, '#token', { back: true });
    await type(page, code);
    await press(page, 'Enter');
    await waitForPath(page, '/protected');
    await page.locator('#protected-content').waitFor();

    await tabTo(page, '#logout');
    await press(page, 'Enter');
    await waitForPath(page, '/');

    await tabTo(page, '#nav-2fa');
    await press(page, 'Enter');
    await waitForPath(page, '/login');
    expect(await unlabelledFields(page)).toEqual([]);
    await tabTo(page, '#username');
    await type(page, u.username);
    await tabExpect(page, 'password');
    await type(page, u.password);
    await press(page, 'Enter');
    await waitForPath(page, '/2fa');

    await tabTo(page, '#token');
    await type(page, await softToken(app, await authyIdOf(app, u.username)));
    await tabExpect(page, 'verify');
    await press(page, 'Enter');
    await waitForPath(page, '/protected');
    await page.locator('#protected-content').waitFor();
  });

  test('phone verification by call: no mouse, every field labelled', async () => {
    const { page, app } = h;
    const phone = nextPhone();
    await page.goto('/');
    await tabTo(page, '#nav-verification');
    await press(page, 'Enter');
    await waitForPath(page, '/verification');
    expect(await unlabelledFields(page)).toEqual([]);

    await tabTo(page, '#country_code');
    expect(await page.inputValue('#country_code')).toBe('US');
    await tabExpect(page, 'phone_number');
    await type(page, phone);
    await tabExpect(page, 'via-sms');
    await press(page, 'ArrowDown');
    expect(await focusedId(page)).toBe('via-call');
    expect(await page.isChecked('#via-call')).toBe(true);
    await tabExpect(page, 'send-code');
    await press(page, 'Enter');
    await page.locator('#code').waitFor();
    expect(await unlabelledFields(page)).toEqual([]);

    const code = await codeSentTo(app, phone, 'call', 'verification');
    await tabTo(page, '#code');
    await type(page, code);
    await press(page, 'Enter');
    await waitForPath(page, '/verified');
    await page.locator('#verified-message').waitFor();
  });
});
