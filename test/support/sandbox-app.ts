// The app as `npm start` runs it with no credentials: sandbox mode, on a real loopback port, its
// Authy client (or with provider 'verify', its Twilio Verify client) calling its own sandbox over
// HTTP. For the sandbox and browser tests. Its PUBLIC_URL is http://localhost:<port>, as
// `npm start`'s default: browsers refuse passkeys on an IP address, so the browser tests browse
// that origin.
import type { ProviderName } from '../../server/platform/config';
import { createLogger } from '../../server/platform/logger';
import { PUBLIC_DIR } from '../../server/platform/paths';
import { startServer } from '../../server/start/start-server';
import { FIXTURE_PUBLIC_DIR, LogCapture, registerLogs, TEST_SCRYPT, TEST_SESSION_SECRET, testConfig } from './app';
import { openTestDatabase, type TestDatabase } from './db';
import { SANDBOX_KEY, SANDBOX_TWILIO_TOKEN } from './test-secrets';

export { SANDBOX_KEY, SANDBOX_TWILIO_TOKEN } from './test-secrets';

export interface SandboxApp {
  provider: ProviderName;
  /** Where the server listens, http://127.0.0.1:<port> (for requests from the tests themselves). */
  baseUrl: string;
  /** Its PUBLIC_URL, by default http://localhost:<port>: where browsers open it. */
  publicUrl: string;
  db: TestDatabase;
  logs: LogCapture;
  close(): Promise<void>;
}

/** `publicUrl`: PUBLIC_URL (default: http://localhost:<port>); `provider`: the API the app talks to (default authy). */
export async function startSandboxApp(
  options: { built?: boolean; now?: () => number; provider?: ProviderName; publicUrl?: string } = {},
): Promise<SandboxApp> {
  const provider = options.provider ?? 'authy';
  const db = await openTestDatabase();
  const logs = registerLogs(new LogCapture());
  const running = await startServer({
    config: ({ url }) => testConfig({ publicUrl: options.publicUrl ?? localhostUrl(url), provider }),
    port: 0,
    host: '127.0.0.1',
    connection: db.connection,
    isFerretDB: db.isFerretDB,
    logger: createLogger('info', logs),
    sessionSecret: TEST_SESSION_SECRET,
    sandboxKey: SANDBOX_KEY,
    sandboxAuthToken: SANDBOX_TWILIO_TOKEN,
    // Browser tests need the real build; API tests are fine with the fixture.
    publicDir: options.built ? PUBLIC_DIR : FIXTURE_PUBLIC_DIR,
    passwordParams: TEST_SCRYPT,
    now: options.now,
  });
  return {
    provider,
    baseUrl: running.url,
    publicUrl: options.publicUrl ?? localhostUrl(running.url),
    db,
    logs,
    close: async () => {
      await running.close(0);
      await db.close();
    },
  };
}

/** The same server by the name `localhost` (the only host name a loopback server has). */
export const localhostUrl = (url: string) => url.replace('//127.0.0.1:', '//localhost:');
