// What a push request tells the person on the phone: the browser and the network it comes from
// (never the whole address), what a fresh check would approve, and to deny it if it was not them.
import { clientNetwork } from '../../server/limits/client-address';
import { browserName } from '../../server/http/browser-name';
import { CONFIRM_IDENTITY, MAX_PUSH_MESSAGE_LENGTH, pushRequest } from '../../server/twofa/push-request';

const UA = {
  chromeLinux: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  headless: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36',
  edgeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0',
  firefoxMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0',
  safariIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  samsung:
    'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
};

test.each([
  [UA.chromeLinux, 'Chrome on Linux'],
  [UA.headless, 'Chrome on Linux'],
  [UA.edgeWindows, 'Edge on Windows'],
  [UA.firefoxMac, 'Firefox on macOS'],
  [UA.safariIphone, 'Safari on iOS'],
  [UA.samsung, 'Samsung Internet on Android'],
  ['curl/8.5.0', 'An unknown browser'],
  [undefined, 'An unknown browser'],
  ['<script>alert(1)</script> Windows', 'An unknown browser on Windows'],
])('%s → %s', (ua, name) => {
  expect(browserName(ua)).toBe(name);
});

test('the network is an IPv4 /24 or an IPv6 /64, never the address', () => {
  expect(clientNetwork({ ip: '203.0.113.77' })).toBe('203.0.113.0/24');
  expect(clientNetwork({ ip: '::ffff:198.51.100.9' })).toBe('198.51.100.0/24');
  expect(clientNetwork({ ip: '2001:db8:1:2:3:4:5:6' })).toBe('2001:db8:1:2::/64');
  expect(clientNetwork({ ip: 'not an address' })).toBe('unknown');
});

test('a login push names the browser and network and says what to do if it was not you', () => {
  const push = pushRequest({ username: 'ada', userAgent: UA.chromeLinux, network: '203.0.113.0/24' });
  expect(push.message).toBe('Login requested from Chrome on Linux (network 203.0.113.0/24). Not you? Deny it and change your password.');
  expect(push.details).toEqual({ Username: 'ada', Request: 'Log in', Browser: 'Chrome on Linux', Network: '203.0.113.0/24' });
});

test('a push for a fresh check names what it approves', () => {
  const push = pushRequest({ username: 'ada', userAgent: UA.firefoxMac, network: '2001:db8:1:2::/64', action: 'Add a passkey' });
  expect(push.message).toBe(
    '“Add a passkey” from Firefox on macOS (network 2001:db8:1:2::/64). Not you? Deny it and change your password.',
  );
  expect(push.details.Request).toBe('Add a passkey');
});

test("the longest message fits Authy's 144 characters", () => {
  for (const action of [undefined, 'Set up an authenticator app', 'Forget all remembered browsers', CONFIRM_IDENTITY] as const) {
    const push = pushRequest({ username: 'x', userAgent: UA.samsung, network: 'ffff:ffff:ffff:ffff::/64', action });
    expect(push.message.length).toBeLessThanOrEqual(MAX_PUSH_MESSAGE_LENGTH);
  }
});
