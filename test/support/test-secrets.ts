// The secrets the test apps run with. test/support/no-secrets.ts looks for each in every response
// body and log line; kept apart from the apps so that check loads no server code.
export const TEST_API_KEY = 'test-api-key-0123456789abcdef';
export const TEST_SESSION_SECRET = 'test-session-secret-0123456789abcdef-0123456789';
export const TEST_TWILIO_ACCOUNT_SID = `AC${'7e57ac'.repeat(5)}00`;
export const TEST_TWILIO_AUTH_TOKEN = 'test-twilio-auth-token-0123456789abcdef';
export const SANDBOX_KEY = 'sandbox-test-key-0123456789abcdef';
/** The sandbox's Twilio auth token (its account and service SIDs derive from it). */
export const SANDBOX_TWILIO_TOKEN = 'sandbox-twilio-token-0123456789abcdef';
