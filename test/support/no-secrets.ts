// Every test file: no response body the app sends (outside the sandbox, which is "the phone")
// and no log line may contain the API key, a Twilio auth token or account SID (or the Basic
// credentials made of them), the session secret, a password, a hash or a code the tests used.
// Checked after each file over everything it produced.
import http from 'node:http';
import { legacySha256 } from '../../server/auth/password';
import { sandboxTwilioAccount } from '../../server/sandbox/verify/credentials';
import { TEST_API_KEY, TEST_SESSION_SECRET, TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN, allLogs } from './app';
import { SANDBOX_KEY, SANDBOX_TWILIO_TOKEN } from './sandbox-app';

const sandboxAccount = sandboxTwilioAccount(SANDBOX_TWILIO_TOKEN);
const literal = (s: string) => new RegExp(escapeRegExp(s));
const basic = (user: string, password: string) => literal(Buffer.from(`${user}:${password}`).toString('base64'));

/** The sandbox's Verify API answers with its account SID, as Twilio's does. */
const sandboxVerifyApi = (url: string) => url.startsWith('/sandbox/verify/');

const FORBIDDEN: [string, RegExp, ((url: string) => boolean)?][] = [
  ['the API key', new RegExp(TEST_API_KEY)],
  ['the sandbox API key', new RegExp(SANDBOX_KEY)],
  ['the Twilio auth token', new RegExp(TEST_TWILIO_AUTH_TOKEN)],
  ['the Twilio account SID', new RegExp(TEST_TWILIO_ACCOUNT_SID)],
  ['the Twilio Basic credentials', basic(TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN)],
  ["the sandbox's Twilio auth token", new RegExp(SANDBOX_TWILIO_TOKEN)],
  ["the sandbox's Twilio account SID", new RegExp(sandboxAccount.accountSid), sandboxVerifyApi],
  ["the sandbox's Basic credentials", basic(sandboxAccount.accountSid, SANDBOX_TWILIO_TOKEN)],
  ['the session secret', new RegExp(TEST_SESSION_SECRET)],
  ['a test password', /correct horse battery|old password|wrong-\d-password/],
  ['a password hash', /scrypt(-sha256)?\$\d+\$/],
  [
    'a legacy (SHA-256) hash of a test password',
    new RegExp(['correct horse battery', 'old password'].map((p) => escapeRegExp(legacySha256(p))).join('|')),
  ],
  ['a token the tests sent', /\b(1234567|7654321|0000000)\b/],
  // The start of every P-256 private key in PKCS#8 (how Chromium's virtual authenticator exports
  // them): a passkey's private key never leaves the authenticator.
  ['a passkey private key', /MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHB/],
];

/**
 * A secret a test came across (a recovery code, a remembered browser's token, a stored hash): no
 * log line may hold it, and no response body but those `allowedIn` says (the one that shows it).
 */
export function forbidSecret(what: string, value: string, allowedIn?: (url: string) => boolean): void {
  FORBIDDEN.push([what, literal(value), allowedIn]);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const bodies: { url: string; body: string }[] = [];
// eslint-disable-next-line @typescript-eslint/unbound-method -- put back as is, and called with .apply(this) below
const originalEnd = http.ServerResponse.prototype.end;
http.ServerResponse.prototype.end = function end(this: http.ServerResponse, ...args: unknown[]) {
  const chunk = args[0];
  // Express rewrites req.url inside mounted routers; originalUrl is the path the client asked for.
  const url = (this.req as { originalUrl?: string } | undefined)?.originalUrl ?? this.req?.url ?? '';
  // The sandbox's page and JSON views show codes on purpose: they are the phone. Its APIs are checked.
  const phone = url.startsWith('/sandbox') && !/^\/sandbox\/(api|verify)\//.test(url);
  if ((typeof chunk === 'string' || Buffer.isBuffer(chunk)) && !phone) {
    bodies.push({ url, body: chunk.toString() });
  }
  return (originalEnd as (...a: unknown[]) => http.ServerResponse).apply(this, args);
} as typeof http.ServerResponse.prototype.end;

afterAll(() => {
  http.ServerResponse.prototype.end = originalEnd;
  for (const [what, pattern, allowedIn] of FORBIDDEN) {
    const leak = bodies.find((b) => pattern.test(b.body) && !allowedIn?.(b.url));
    if (leak) throw new Error(`A response of ${leak.url} contains ${what}`);
    const line = allLogs().find((l) => pattern.test(l));
    if (line) throw new Error(`A log line contains ${what}: ${line.slice(0, 200)}`);
  }
});
