// One wording for codes sent (2FA and phone verification), and /2fa's text key.
import { CHANNEL_NAMES, codeSentText, lastDigits } from '../../common/code-sent';
import { PRODUCTS } from '../../common/products';
import { CODE_LIFETIME_MS } from '../../server/sandbox/shared/inbox';
import { textKeyOf } from '../../client/twofa/text-key';

test('a number is shown by its last four digits only, however it was written or masked', () => {
  expect(lastDigits('+1-XXX-XXX-0123')).toBe('…0123');
  expect(lastDigits('+4915112346789')).toBe('…6789');
  expect(lastDigits('+49 151 12346789')).toBe('…6789');
  expect(lastDigits('')).toBe('');
});

test('the sentence names the channel, the last digits and how long the code is good', () => {
  expect(codeSentText('sms', '+1-XXX-XXX-0123', 10)).toBe('Code sent by SMS to …0123, valid 10 minutes.');
  expect(codeSentText('call', '+14155550123', 10)).toBe('Calling …0123 with a code, valid 10 minutes.');
  expect(codeSentText('sms', '+14155550123')).toBe('Code sent by SMS to …0123.');
  expect(codeSentText('call', '', 1)).toBe('Calling your phone with a code, valid 1 minute.');
  expect(CHANNEL_NAMES).toEqual({ sms: 'SMS', call: 'Voice call' });
});

test("the lifetime /2fa states is the sandbox's (one inbox for both halves), on both providers", () => {
  expect(PRODUCTS.authy.codeLifetimeMinutes! * 60_000).toBe(CODE_LIFETIME_MS);
  expect(PRODUCTS.verify.codeLifetimeMinutes! * 60_000).toBe(CODE_LIFETIME_MS);
});

test('the text key is the otpauth secret in groups of four; anything else is no key', () => {
  expect(textKeyOf('otpauth://totp/Demo:alice?secret=JBSWY3DPEHPK3PXPAB&issuer=Demo')).toBe('JBSW Y3DP EHPK 3PXP AB');
  expect(textKeyOf('otpauth://totp/Demo:alice?issuer=Demo')).toBe('');
  expect(textKeyOf('not a uri')).toBe('');
});
