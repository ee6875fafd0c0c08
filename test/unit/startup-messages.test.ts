import { loadConfig } from '../../server/platform/config';
import { providerLine, sandboxBanner } from '../../server/start/startup-messages';

test('the start-up line names the 2FA provider, and whether it is the sandbox', () => {
  expect(providerLine(loadConfig({}))).toBe('2FA provider: Authy (embedded sandbox)');
  expect(providerLine(loadConfig({ TWOFA_PROVIDER: 'verify' }))).toBe('2FA provider: Twilio Verify v2 (embedded sandbox)');
  expect(providerLine(loadConfig({ ACCOUNT_SECURITY_API_KEY: 'k' }))).toBe('2FA provider: Authy');
  const twilio = {
    TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: 'f'.repeat(32),
    VERIFY_SERVICE_SID: `VA${'2'.repeat(32)}`,
  };
  expect(providerLine(loadConfig(twilio))).toBe('2FA provider: Twilio Verify v2');
});

test('the sandbox banner names the API it plays and how to switch to the other', () => {
  const banner = sandboxBanner(loadConfig({ TWOFA_PROVIDER: 'verify' }), 1337);
  expect(banner).toContain("the sandbox's copy of Twilio Verify v2");
  expect(banner).toContain("TWOFA_PROVIDER=authy runs the app on the sandbox's Authy instead");
  expect(banner).toContain('http://localhost:1337/sandbox');
});
