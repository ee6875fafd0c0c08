// What a deployment does not use is not loaded at start: the `twilio` library only on Verify,
// authy-client (and axios) at the first Authy call, the WebAuthn library at the first passkey request, the
// sandbox (and otplib with it) only in sandbox mode, pino-pretty only on a terminal, prom-client
// only when something can read the metrics (METRICS_TOKEN or METRICS_PORT). Checked on the real
// server: the packages in its module cache once it listens.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TEST_API_KEY, TEST_SESSION_SECRET } from '../support/app';
import { prepareServerRoot, spawnServer, until, type ServerRoot } from '../support/server-process';

jest.setTimeout(60_000);

let root: ServerRoot;
let preload: string;
beforeAll(async () => {
  root = await prepareServerRoot();
  // Loaded with --require: on SIGUSR2 it writes the packages in the module cache to a file.
  preload = path.join(root.dir, 'list-packages.js');
  await writeFile(
    preload,
    `process.on('SIGUSR2', () => {
      const names = new Set(Object.keys(require.cache).map((f) => (/node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(f) || [])[1]).filter(Boolean));
      require('fs').writeFileSync(process.env.PACKAGES_FILE, JSON.stringify([...names]));
    });\n`,
  );
});

/** The packages the server has loaded once it listens, with `env` on top of a test database. */
async function packagesAtStart(env: Record<string, string>): Promise<string[]> {
  const file = path.join(root.dir, `packages-${randomBytes(4).toString('hex')}.json`);
  const server = spawnServer(root, {
    MONGODB_URI: `${process.env.TEST_MONGODB_URI!.replace(/\/$/, '')}/lazy_${randomBytes(4).toString('hex')}`,
    SESSION_SECRET: TEST_SESSION_SECRET,
    NODE_OPTIONS: `--require ${preload}`,
    PACKAGES_FILE: file,
    ...env,
  });
  await server.listening();
  process.kill(server.pid, 'SIGUSR2');
  await until('the package list is written', () => existsSync(file));
  const packages = JSON.parse(await readFile(file, 'utf8')) as string[];
  process.kill(server.pid, 'SIGTERM');
  await server.exited;
  return packages;
}

const ON_FIRST_USE = ['@simplewebauthn/server', 'qrcode', 'pino-pretty', 'authy-client'];

test('on Authy: neither twilio nor the sandbox, nor prom-client without METRICS_TOKEN, nor authy-client before its first call', async () => {
  const packages = await packagesAtStart({ ACCOUNT_SECURITY_API_KEY: TEST_API_KEY, AUTHY_API_URL: 'http://127.0.0.1:9' });
  expect(packages).toEqual(expect.arrayContaining(['mongoose', 'express'])); // the list is the real one
  expect(packages.filter((p) => ['twilio', 'otplib', 'prom-client', 'axios', ...ON_FIRST_USE].includes(p))).toEqual([]);
});

test('on Verify with METRICS_TOKEN: twilio and prom-client, but not the sandbox, authy-client or the rest', async () => {
  const packages = await packagesAtStart({
    TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: 'a-test-twilio-auth-token-0123456789',
    VERIFY_SERVICE_SID: `VA${'0'.repeat(32)}`,
    METRICS_TOKEN: 'a-test-metrics-token-0123456789abcdef',
  });
  expect(packages).toEqual(expect.arrayContaining(['twilio', 'prom-client']));
  expect(packages.filter((p) => ['otplib', ...ON_FIRST_USE].includes(p))).toEqual([]);
});

test('in sandbox mode: the sandbox (otplib with it), still nothing that waits for its first use', async () => {
  const packages = await packagesAtStart({});
  expect(packages).toEqual(expect.arrayContaining(['otplib']));
  expect(packages.filter((p) => ['twilio', 'prom-client', ...ON_FIRST_USE].includes(p))).toEqual([]);
});
