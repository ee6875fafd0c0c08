// The OneTouch callback signature against known answers computed independently of our code
// (the canonical strings written by hand, the HMACs with `openssl dgst -sha256 -hmac`).
import { canonicalParams, isValidSignature, signCallback } from '../../server/providers/authy/signature';

const KEY = 'my-api-key';

test('flat parameters: sorted pairs, HMAC-SHA256 in base64', () => {
  const body = { uuid: 'abc-123', status: 'approved', callback_action: 'approval_request_status', authy_id: 1234 };
  expect(canonicalParams(body)).toBe('authy_id=1234&callback_action=approval_request_status&status=approved&uuid=abc-123');
  const req = { nonce: '1234567890', method: 'POST', url: 'https://example.com/api/accountsecurity/onetouch/callback', body };
  expect(signCallback(KEY, req)).toBe('ytSzBMM+UtxyAFGXKRJX6k4ra2MeRky4dxUgBAKmZhk=');
});

test('nested parameters in brackets, spaces as +, keys with spaces', () => {
  const body = {
    uuid: 'u1',
    status: 'denied',
    approval_request: { transaction: { message: 'Login requested', details: { Username: 'Ada Lovelace', 'Authy ID': '99' } } },
  };
  expect(canonicalParams(body)).toBe(
    'approval_request%5Btransaction%5D%5Bdetails%5D%5BAuthy+ID%5D=99' +
      '&approval_request%5Btransaction%5D%5Bdetails%5D%5BUsername%5D=Ada+Lovelace' +
      '&approval_request%5Btransaction%5D%5Bmessage%5D=Login+requested&status=denied&uuid=u1',
  );
  const req = { nonce: 'nonce-2', method: 'post', url: 'http://localhost:1337/api/accountsecurity/onetouch/callback', body };
  expect(signCallback(KEY, req)).toBe('vSYDQ21wu/x90SF3P4mXl5jpTXFq+DYULWdvvrbLbzM=');
});

test('arrays use empty brackets', () => {
  const body = { tags: ['a', 'b c'] };
  expect(canonicalParams(body)).toBe('tags%5B%5D=a&tags%5B%5D=b+c');
  expect(signCallback(KEY, { nonce: 'n3', method: 'POST', url: 'https://x.test/cb', body })).toBe(
    'FwWsuJfbkGZRXPfw4u49K+ivUn9GeighgIkSX7jVz2Q=',
  );
});

test('verification: the right signature passes; any change to key, nonce, method, URL or body fails', () => {
  const req = { nonce: 'n3', method: 'POST', url: 'https://x.test/cb', body: { tags: ['a', 'b c'] } };
  const good = 'FwWsuJfbkGZRXPfw4u49K+ivUn9GeighgIkSX7jVz2Q=';
  expect(isValidSignature(KEY, req, good)).toBe(true);
  expect(isValidSignature('other-key', req, good)).toBe(false);
  expect(isValidSignature(KEY, { ...req, nonce: 'n4' }, good)).toBe(false);
  expect(isValidSignature(KEY, { ...req, method: 'GET' }, good)).toBe(false);
  expect(isValidSignature(KEY, { ...req, url: 'http://x.test/cb' }, good)).toBe(false);
  expect(isValidSignature(KEY, { ...req, body: { tags: ['a', 'b  c'] } }, good)).toBe(false);
  expect(isValidSignature(KEY, req, good.slice(0, -1))).toBe(false);
  expect(isValidSignature(KEY, req, '')).toBe(false);
});
