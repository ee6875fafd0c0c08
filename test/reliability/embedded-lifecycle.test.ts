// `npm start` with its embedded FerretDB, as a real process: the database never outlives the app
// (graceful stop, SIGKILL), and a database that dies under the running app is started again at
// most three times with backoff, after which the app exits 1 with one line.
import { TEST_API_KEY, TEST_SESSION_SECRET } from '../support/app';
import { client } from '../support/http';
import { isAlive, pidsHolding, pidsWithCommandLine } from '../support/processes';
import { prepareServerRoot, spawnServer, until, type ServerRoot } from '../support/server-process';
import { startSlowAuthy } from '../support/slow-authy';
import { validPerson } from '../support/users';

jest.setTimeout(90_000);

let root: ServerRoot;
beforeAll(async () => {
  root = await prepareServerRoot();
});

const FERRETDB_STARTED = /started FerretDB \(SQLite\) on the unix socket/;

/** Nothing left of the app: the FerretDB processes gone, and no process holding .data/. */
async function nothingLeft(ferretPids: number[]): Promise<void> {
  await until(
    'FerretDB is gone and nothing holds .data/',
    () => ferretPids.every((p) => !isAlive(p)) && pidsHolding(root.dataDir).length === 0,
  );
}

test('SIGTERM with a request in flight: it is answered, new connections are refused, then FerretDB stops and the app exits 0', async () => {
  const authy = await startSlowAuthy();
  try {
    const server = spawnServer(root, {
      ACCOUNT_SECURITY_API_KEY: TEST_API_KEY,
      AUTHY_API_URL: authy.url,
      SESSION_SECRET: TEST_SESSION_SECRET,
    });
    const url = await server.listening();
    const ferretPid = (await server.waitFor(FERRETDB_STARTED)).databasePid!;

    const inFlight = client(url)
      .post('/api/user/register')
      .send(validPerson('inflight').body)
      .then((r) => r);
    await authy.received(); // the registration is now waiting on Authy
    process.kill(server.pid, 'SIGTERM');
    await server.waitFor(/SIGTERM: stopping/);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow(); // no longer accepting
    expect(isAlive(ferretPid)).toBe(true); // the database stays up for the request in flight
    authy.release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    await nothingLeft([ferretPid]);
  } finally {
    await authy.close();
  }
});

test('Ctrl-C (SIGINT to the whole process group) stops the app cleanly: FerretDB is in its own group and stopped by the app', async () => {
  const server = spawnServer(root);
  await server.listening();
  const ferretPid = (await server.waitFor(FERRETDB_STARTED)).databasePid!;
  process.kill(-server.pid, 'SIGINT');
  expect(await server.exited).toEqual({ code: 0, signal: null });
  await server.waitFor(/"msg":"stopped"/);
  await nothingLeft([ferretPid]);
});

test('SIGKILL of the app: FerretDB and its watchdog are gone within seconds, nothing holds .data/', async () => {
  const server = spawnServer(root);
  await server.listening();
  const ferretPid = (await server.waitFor(FERRETDB_STARTED)).databasePid!;
  const watchdog = () => pidsWithCommandLine(` ${server.pid} ${ferretPid}`);
  expect(watchdog()).toHaveLength(1);
  process.kill(server.pid, 'SIGKILL');
  await server.exited;
  const killedAt = Date.now();
  await nothingLeft([ferretPid]);
  await until('the watchdog is gone', () => watchdog().length === 0);
  expect(Date.now() - killedAt).toBeLessThan(7000);
});

test('an app killed and started again at once on the same data (a quick restart) waits for the old FerretDB to go, then starts', async () => {
  const first = spawnServer(root);
  await first.listening();
  const oldPid = (await first.waitFor(FERRETDB_STARTED)).databasePid!;
  process.kill(first.pid, 'SIGKILL');
  await first.exited;
  const second = spawnServer(root);
  const url = await second.listening();
  expect(isAlive(oldPid)).toBe(false);
  expect((await fetch(`${url}/readyz`)).status).toBe(200);
  process.kill(second.pid, 'SIGTERM');
  expect((await second.exited).code).toBe(0);
});

test('FerretDB dying under the running app is started again 3 times with backoff, then the app exits 1 with one line', async () => {
  const server = spawnServer(root);
  const url = await server.listening();
  let ferretPid = (await server.waitFor(FERRETDB_STARTED)).databasePid!;
  const pids = [ferretPid];
  for (const [restart, delay] of [
    [1, 1],
    [2, 2],
    [3, 4],
  ]) {
    const after = server.lines.length - 1;
    process.kill(ferretPid, 'SIGKILL');
    const killedAt = Date.now();
    await server.waitFor(new RegExp(`FerretDB was killed by SIGKILL: starting it again in ${delay} s \\(restart ${restart} of 3\\)`), {
      after,
    });
    const again = await server.waitFor(/FerretDB is running again/, { after });
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(delay * 1000);
    ferretPid = again.databasePid!;
    pids.push(ferretPid);
    // Serving again: the database answers through the app.
    // A request that hangs would be a failure too: each gets 10 s.
    const get = (path: string) => fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.status);
    await until('/readyz is 200 again', async () => (await get('/readyz')) === 200);
    expect(await get('/sandbox/inbox.json')).toBe(200);
  }
  process.kill(ferretPid, 'SIGKILL');
  const lastKill = Date.now();
  expect((await server.exited).code).toBe(1);
  expect(Date.now() - lastKill).toBeLessThan(15_000); // no request in flight: nothing to wait for
  const last = server.lines.filter((l) => l.stream === 'stderr').at(-1)!;
  expect(last.text).toBe('account-security-quickstart: FerretDB was killed by SIGKILL, and it was restarted 3 times already: giving up');
  await nothingLeft(pids);
});
