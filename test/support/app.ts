// Builds the real app on a fresh test database. The 2FA API (Authy by default, or Twilio
// Verify) is either nock'ed (its URL intercepted) or the embedded sandbox reached over a real
// port. Logs are captured so tests can check that no secret is ever written.
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import { createApp, type AppDeps } from '../../server/start/app';
import type { ScryptParams } from '../../server/auth/password';
import { loadConfig, type Config } from '../../server/platform/config';
import { createLogger } from '../../server/platform/logger';
import { createAuthyProvider } from '../../server/providers/authy/authy-provider';
import type { ProviderRecords } from '../../server/auth/user.model';
import type { TwoFactorProvider } from '../../server/providers/provider';
import { createVerifyProvider } from '../../server/providers/verify/verify-provider';
import { openTestDatabase, type TestDatabase } from './db';

export const TEST_API_KEY = 'test-api-key-0123456789abcdef';
export const TEST_SESSION_SECRET = 'test-session-secret-0123456789abcdef-0123456789';
// nock 14's fake TLS socket is never `authorized`, which request (under authy-client) rejects
// as an SSL error; so tests fake Authy on plain http. The paths and bodies are Authy's.
export const AUTHY_URL = 'http://api.authy.test';
/** Twilio's own host, which the `twilio` library calls and nock intercepts. */
export const VERIFY_URL = 'https://verify.twilio.com';
export const TEST_TWILIO_ACCOUNT_SID = `AC${'7e57ac'.repeat(5)}00`;
export const TEST_TWILIO_AUTH_TOKEN = 'test-twilio-auth-token-0123456789abcdef';
export const TEST_VERIFY_SERVICE_SID = `VA${'7e57'.repeat(8)}`;
export const PUBLIC_URL = 'http://localhost:1337';
/** A stand-in for dist/public, so API tests do not need a build. */
export const FIXTURE_PUBLIC_DIR = path.join(__dirname, '..', 'fixtures', 'public');
/** Cheap scrypt for tests (the production cost is checked in the password unit tests). */
export const TEST_SCRYPT: ScryptParams = { N: 1024, r: 8, p: 1 };

/**
 * Test files register many people from one address (127.0.0.1), mostly with one phone number:
 * the budgets per address, per number and of the whole app are raised so they do not get in
 * the way. The tests of those limits (test/security/) configure the real defaults,
 * `limitsFrom({})`, or their own numbers.
 */
export const RELAXED_LIMITS = {
  LIMIT_REGISTRATIONS_PER_IP: '100000/1h',
  LIMIT_SENDS_PER_NUMBER: '100000/1h',
  LIMIT_SENDS_PER_IP: '100000/1h',
  LIMIT_NUMBERS_PER_IP: '100000/1h',
  LIMIT_SENDS_GLOBAL: '100000/1h',
};

/** The configuration tests run with: loadConfig's defaults (sandbox mode) but RELAXED_LIMITS, PUBLIC_URL as the origin. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ NODE_ENV: 'test', ...RELAXED_LIMITS }), publicUrl: PUBLIC_URL, ...overrides };
}

export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    this.lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  }
  get text() {
    return this.lines.join('\n');
  }
}

const captures: LogCapture[] = [];
/** Every log line of every app built in this test file. */
export const allLogs = () => captures.flatMap((c) => c.lines);
/** Adds a capture to those the no-secrets check reads. */
export function registerLogs(capture: LogCapture): LogCapture {
  captures.push(capture);
  return capture;
}

/** The app's Authy provider, talking to nock at AUTHY_URL. */
export const authyTestProvider = () => createAuthyProvider({ apiKey: TEST_API_KEY, baseUrl: AUTHY_URL, timeoutMs: 2000 });

/** The app's Verify provider, talking to nock at Twilio's host (nock 14 cannot answer keep-alive requests). */
export const verifyTestProvider = (now?: () => number) =>
  createVerifyProvider({
    accountSid: TEST_TWILIO_ACCOUNT_SID,
    authToken: TEST_TWILIO_AUTH_TOKEN,
    serviceSid: TEST_VERIFY_SERVICE_SID,
    factorName: new URL(PUBLIC_URL).hostname,
    timeoutMs: 2000,
    keepAlive: false,
    now,
  });

export interface TestApp {
  app: Express;
  db: TestDatabase;
  logs: LogCapture;
  provider: TwoFactorProvider<ProviderRecords>;
  close(): Promise<void>;
}

/** `db` shares another app's database (two app processes); closing then leaves it open. */
export async function createTestApp(
  overrides: Partial<AppDeps> = {},
  options: { monitorCommands?: boolean; db?: TestDatabase } = {},
): Promise<TestApp> {
  const db = options.db ?? (await openTestDatabase(options));
  const logs = registerLogs(new LogCapture());
  const provider = overrides.provider ?? authyTestProvider();
  const app = createApp({
    config: testConfig(),
    connection: db.connection,
    isFerretDB: db.isFerretDB,
    provider,
    sessionSecret: TEST_SESSION_SECRET,
    logger: createLogger('info', logs),
    passwordParams: TEST_SCRYPT,
    publicDir: FIXTURE_PUBLIC_DIR,
    ...overrides,
  });
  return { app, db, logs, provider, close: () => (options.db ? Promise.resolve() : db.close()) };
}

/** Starts a real HTTP server on a free loopback port; `build` gets its base URL first. */
export async function listen(
  build: (baseUrl: string) => Express | Promise<Express>,
): Promise<{ server: http.Server; baseUrl: string; close(): Promise<void> }> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  server.on('request', await build(baseUrl));
  return {
    server,
    baseUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The test app of a file (or describe block): built in beforeAll, closed in afterAll. The
 * handle's fields read the current app, so it can be taken at the top of the file.
 */
export function useTestApp(overrides: Partial<AppDeps> = {}, options: { monitorCommands?: boolean } = {}): TestApp {
  let current: TestApp | undefined;
  beforeAll(async () => {
    current = await createTestApp(overrides, options);
  });
  afterAll(async () => {
    await current?.close();
  });
  const get = () => {
    if (!current) throw new Error('useTestApp: the app is built in beforeAll; use it inside tests or hooks');
    return current;
  };
  return {
    get app() {
      return get().app;
    },
    get db() {
      return get().db;
    },
    get logs() {
      return get().logs;
    },
    get provider() {
      return get().provider;
    },
    close: () => get().close(),
  };
}
