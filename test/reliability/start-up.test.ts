// Start-up against a database that is not there (yet): half a second after it starts to connect, a
// line says the app is waiting and names the host (never the credentials); it retries; after
// DB_CONNECT_TIMEOUT it exits 1 with one line saying why. A database that comes up while it waits
// is used. The half second is timed in process: a spawned server's own start (loading its
// modules) takes over 2 s on a busy 2-core machine, and that is not what the line promises.
import net from 'node:net';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { connectWhenReachable } from '../../server/db/connect';
import { locateFerretDB, startFerretDB } from '../../server/embedded-db/ferretdb';
import type { DatabaseLogger, EmbeddedDatabase } from '../../server/embedded-db/embedded';
import { prepareServerRoot, spawnServer, type ServerRoot } from '../support/server-process';

jest.setTimeout(30_000);

let root: ServerRoot;
beforeAll(async () => {
  root = await prepareServerRoot();
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('connecting to an unreachable database: "waiting" is said half a second in, before the first retry', async () => {
  const port = await closedPort();
  const said: { at: number; msg: string }[] = [];
  const log = (_fields: unknown, msg: string) => said.push({ at: Date.now(), msg });
  const startedAt = Date.now();
  const connecting = connectWhenReachable(`mongodb://127.0.0.1:${port}/app`, {
    timeoutMs: 3000,
    logger: { info: log, warn: log } as unknown as DatabaseLogger,
  });

  await expect(connecting).rejects.toThrow(`the database at 127.0.0.1:${port} was not reachable within 3 s (DB_CONNECT_TIMEOUT)`);
  expect(said[0].msg).toBe(`waiting for the database at 127.0.0.1:${port} (up to 3 s, DB_CONNECT_TIMEOUT)`);
  expect(said[0].at - startedAt).toBeGreaterThanOrEqual(450);
  expect(said[0].at - startedAt).toBeLessThan(1500);
  expect(said[1].msg).toMatch(/not reachable yet .*; retrying/);
});

test('an unreachable MONGODB_URI: the server says it is waiting, naming the host, retries, and exits 1 after DB_CONNECT_TIMEOUT with one line', async () => {
  const port = await closedPort();
  const spawnedAt = Date.now();
  const server = spawnServer(root, { MONGODB_URI: `mongodb://app:hunter2-db-password@127.0.0.1:${port}/app`, DB_CONNECT_TIMEOUT: '4' });

  const waiting = await server.waitFor(/waiting for the database/, { ms: 8000 });
  expect(waiting.msg).toBe(`waiting for the database at 127.0.0.1:${port} (up to 4 s, DB_CONNECT_TIMEOUT)`);
  const retrying = await server.waitFor(/not reachable yet .*; retrying/);
  expect(server.lines.indexOf(waiting)).toBeLessThan(server.lines.indexOf(retrying));

  const { code } = await server.exited;
  const exitedAfter = Date.now() - spawnedAt;
  expect(code).toBe(1);
  expect(exitedAfter).toBeGreaterThanOrEqual(4000);
  expect(exitedAfter).toBeLessThan(12_000);
  const last = server.lines.filter((l) => l.stream === 'stderr').at(-1)!.text;
  expect(last).toMatch(
    new RegExp(
      `^account-security-quickstart: the database at 127\\.0\\.0\\.1:${port} was not reachable within 4 s \\(DB_CONNECT_TIMEOUT\\): .+$`,
    ),
  );
  expect(server.lines.filter((l) => l.text.includes('hunter2'))).toEqual([]);
  expect(server.lines.filter((l) => /listening on/.test(l.text))).toEqual([]);
});

test('a database that comes up while the app waits is used: the app retries and starts', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'asq-late-'));
  let ferret: EmbeddedDatabase | undefined;
  try {
    // FerretDB's socket lives at a known place in its data directory: point the app at it first.
    const socket = path.join(dataDir, 'ferretdb', 'ferretdb.sock');
    const server = spawnServer(root, { MONGODB_URI: `mongodb://${encodeURIComponent(socket)}/late`, DB_CONNECT_TIMEOUT: '20' });
    await server.waitFor(/waiting for the database/);
    ferret = await startFerretDB(await locateFerretDB(process.env), { dataDir, ephemeral: false });
    const url = await server.listening();
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    process.kill(server.pid, 'SIGTERM');
    expect((await server.exited).code).toBe(0);
  } finally {
    await ferret?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
