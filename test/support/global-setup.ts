// Jest globalSetup (runs in the parent process): starts the one test database of the run with
// the app's resolver — MONGODB_URI when set, else an embedded one with throw-away data — and, at
// the same time, the one Chromium the browser test files share (test/support/chromium.ts).
import { accessSync, constants, statfsSync } from 'node:fs';
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

const RAM_DISK = '/dev/shm';
/** Below this much free room (a container's default /dev/shm is 64 MiB) the disk is used. */
const RAM_DISK_MIN_FREE = 1024 ** 3;

/**
 * Where the run keeps its temporary files: a roomy RAM disk when there is one and TMPDIR does not
 * say otherwise. The test database's SQLite files (and those of the servers the tests start) are
 * written there, where a commit waits on no disk sync: about a fifth off a database-bound file.
 */
function runTmpdir(): string | undefined {
  if (process.env.TMPDIR) return undefined;
  try {
    const { bavail, bsize } = statfsSync(RAM_DISK);
    accessSync(RAM_DISK, constants.W_OK);
    return bavail * bsize >= RAM_DISK_MIN_FREE ? RAM_DISK : undefined;
  } catch {
    return undefined;
  }
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const tmpdir = runTmpdir();
  // os.tmpdir() reads it on each call; the workers, spawned after this, inherit it.
  if (tmpdir) process.env.TMPDIR = tmpdir;
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
