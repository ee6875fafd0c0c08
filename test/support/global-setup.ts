// Jest globalSetup (runs in the parent process): starts the one test database of the run with
// the app's resolver — MONGODB_URI when set, else an embedded one with throw-away data — and, at
// the same time, the one Chromium the browser test files share (test/support/chromium.ts).
import os from 'node:os';
import type { BrowserServer } from 'playwright-core';
import { resolveDatabase, type DatabaseLogger, type StartedDatabase } from '../../server/embedded-db/resolve';
import { launchSharedChromium } from './chromium';

const HANDLE = Symbol.for('account-security-quickstart.testDatabase');
const BROWSER = Symbol.for('account-security-quickstart.testBrowser');

type HandleHolder = { [HANDLE]?: StartedDatabase; [BROWSER]?: BrowserServer };

export function takeTestDatabaseHandle(): StartedDatabase | undefined {
  const holder = globalThis as HandleHolder;
  const handle = holder[HANDLE];
  delete holder[HANDLE];
  return handle;
}

export function takeTestBrowserHandle(): BrowserServer | undefined {
  const holder = globalThis as HandleHolder;
  const handle = holder[BROWSER];
  delete holder[BROWSER];
  return handle;
}

const print = (level: string) => (objOrMsg: unknown, msg?: string) => {
  process.stderr.write(`[test db] ${level}${typeof objOrMsg === 'string' ? objOrMsg : (msg ?? '')}\n`);
};
const logger: DatabaseLogger = { info: () => {}, warn: print('warning: ') };

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const [db, browser] = await Promise.all([
    resolveDatabase({ uri: process.env.MONGODB_URI?.trim() || undefined, dataDir: os.tmpdir(), ephemeral: true, logger }),
    launchSharedChromium(),
  ]);
  (globalThis as HandleHolder)[HANDLE] = db;
  (globalThis as HandleHolder)[BROWSER] = browser;
  // Workers are spawned after this and inherit the environment.
  process.env.TEST_MONGODB_URI = db.uri;
  process.env.TEST_DB_KIND = db.kind;
  print('')(`${db.kind} ready in ${Date.now() - started} ms`);
}
