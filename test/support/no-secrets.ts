// Every test file: no response body the app sends (outside the sandbox, which is "the phone")
// and no log line may contain the API key, the session secret, a password, a hash or a code
// the tests used. Checked after each file over everything it produced.
import http from 'node:http';
import { legacySha256 } from '../../server/auth/password';
import { TEST_API_KEY, TEST_SESSION_SECRET, allLogs } from './app';
import { SANDBOX_KEY } from './sandbox-app';

const FORBIDDEN: [string, RegExp][] = [
  ['the API key', new RegExp(TEST_API_KEY)],
  ['the sandbox API key', new RegExp(SANDBOX_KEY)],
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const bodies: { url: string; body: string }[] = [];
// eslint-disable-next-line @typescript-eslint/unbound-method -- put back as is, and called with .apply(this) below
const originalEnd = http.ServerResponse.prototype.end;
http.ServerResponse.prototype.end = function end(this: http.ServerResponse, ...args: unknown[]) {
  const chunk = args[0];
  const url = this.req?.url ?? '';
  // The sandbox's own pages show codes on purpose: it is the phone.
  if ((typeof chunk === 'string' || Buffer.isBuffer(chunk)) && !url.startsWith('/sandbox')) {
    bodies.push({ url, body: chunk.toString() });
  }
  return (originalEnd as (...a: unknown[]) => http.ServerResponse).apply(this, args);
} as typeof http.ServerResponse.prototype.end;

afterAll(() => {
  http.ServerResponse.prototype.end = originalEnd;
  for (const [what, pattern] of FORBIDDEN) {
    const leak = bodies.find((b) => pattern.test(b.body));
    if (leak) throw new Error(`A response of ${leak.url} contains ${what}`);
    const line = allLogs().find((l) => pattern.test(l));
    if (line) throw new Error(`A log line contains ${what}: ${line.slice(0, 200)}`);
  }
});
