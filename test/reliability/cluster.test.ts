// WEB_CONCURRENCY=2: two workers behind one port. Which worker answered is read from the request
// log (each JSON line carries its process id), so nothing identifying a worker is ever sent to a
// client. A "lane" is a keep-alive connection, so it stays with the worker that accepted it.
import http from 'node:http';
import { MongoClient } from 'mongodb';
import nock from 'nock';
import { anonymousToken, CSRF_COOKIE } from '../../server/http/csrf';
import { TEST_API_KEY, TEST_SESSION_SECRET } from '../support/app';
import { isAlive } from '../support/processes';
import { prepareServerRoot, spawnServer, until, type LogLine, type ServerProcess, type ServerRoot } from '../support/server-process';
import { startSlowAuthy } from '../support/slow-authy';
import { validPerson } from '../support/users';
import { freePort } from '../support/free-port';

jest.setTimeout(90_000);

let root: ServerRoot;
const dbName = `cluster_${process.pid}`;
const databaseUri = () => {
  const uri = process.env.TEST_MONGODB_URI!;
  const at = uri.indexOf('/', uri.indexOf('://') + 3);
  return at < 0 ? `${uri}/${dbName}` : `${uri.slice(0, at)}/${dbName}${uri.slice(at + 1).replace(/^[^?]*/, '')}`;
};

beforeAll(async () => {
  // nock's interceptor opens a new connection for every request, which would spread a lane's
  // requests over both workers: this file talks to its own servers only, on the real http.
  nock.restore();
  root = await prepareServerRoot();
});

afterAll(async () => {
  const client = new MongoClient(databaseUri());
  await client
    .db(dbName)
    .dropDatabase()
    .catch(() => {});
  await client.close();
});

/** Starts a two-worker cluster on a port of its own (PUBLIC_URL must name it for the sandbox's callbacks). */
async function startCluster(env: Record<string, string> = {}): Promise<{ server: ServerProcess; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawnServer(root, {
    WEB_CONCURRENCY: '2',
    PORT: String(port),
    PUBLIC_URL: url,
    MONGODB_URI: databaseUri(),
    SESSION_SECRET: TEST_SESSION_SECRET,
    // The real password hash (scrypt at the production cost) on a machine that also runs the
    // other test files: its queue's 5 s budget refused registrations with 503 under that load.
    // This file is about the workers, not the queue (test/reliability/overload.test.ts is).
    HASH_QUEUE_MAX_SECONDS: '60',
    ...env,
  });
  const line = await server.listening();
  expect(line).toBe(url);
  await server.waitFor(/with 2 workers/);
  return { server, url };
}

interface Answer {
  status: number;
  body: { [key: string]: unknown };
  /** The process that answered, from its request log line. */
  pid: number;
}

/** One browser (one cookie jar, CSRF header as the SPA sends it) whose requests can be sent down chosen lanes. */
class Browser {
  readonly cookies = new Map<string, string>([[CSRF_COOKIE, anonymousToken(TEST_SESSION_SECRET)]]);
  constructor(
    readonly server: ServerProcess,
    readonly url: string,
  ) {}

  send(lane: http.Agent | false, method: string, path: string, body?: object): Promise<Answer> {
    const after = this.server.lines.length - 1;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = {
      cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(method !== 'GET' ? { 'x-xsrf-token': decodeURIComponent(this.cookies.get(CSRF_COOKIE)!) } : {}),
    };
    return new Promise<Answer>((resolve, reject) => {
      const req = http.request(`${this.url}${path}`, { method, agent: lane, headers }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          for (const c of res.headers['set-cookie'] ?? []) {
            const [pair] = c.split(';');
            const eq = pair.indexOf('=');
            const value = pair.slice(eq + 1);
            if (value && !/max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.set(pair.slice(0, eq), value);
            else this.cookies.delete(pair.slice(0, eq));
          }
          const status = res.statusCode!;
          // The request log line of this request: written when the response finished.
          this.server
            .waitFor(new RegExp(`"msg":"${method} ${path.split('?')[0].replace(/[/.]/g, '\\$&')} ${status} `), { after, ms: 5000 })
            .then((line: LogLine) => resolve({ status, body: text ? (JSON.parse(text) as Answer['body']) : {}, pid: line.pid! }), reject);
        });
      });
      // A timer, not req.setTimeout(): that one stays on the kept-alive socket after the request.
      const timer = setTimeout(() => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)), 30_000);
      req.on('close', () => clearTimeout(timer));
      req.on('error', reject);
      req.end(payload);
    });
  }
}

/**
 * A keep-alive connection held by one worker. The server closes idle connections after 5 s, so
 * before each use the lane is checked (GET /healthz) and, if it moved, pinned again.
 */
class Lane {
  private agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  constructor(readonly pid: number) {}

  async send(browser: Browser, method: string, path: string, body?: object): Promise<Answer> {
    for (let i = 0; i < 30; i++) {
      if ((await browser.send(this.agent, 'GET', '/healthz')).pid === this.pid) return browser.send(this.agent, method, path, body);
      this.agent.destroy();
      this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    }
    throw new Error(`no connection reached worker ${this.pid}`);
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The pids of the two workers, found by sending fresh connections until both answered. */
async function workerPids(browser: Browser): Promise<[number, number]> {
  const pids = new Set<number>();
  for (let i = 0; i < 20 && pids.size < 2; i++) pids.add((await browser.send(false, 'GET', '/healthz')).pid);
  expect(pids.size).toBe(2);
  return [...pids] as [number, number];
}

test('one login with each step on a different worker: sessions, codes, limits, push and its callback are shared', async () => {
  const { server, url } = await startCluster({ LIMIT_TOKEN_FAILURES: '3/15m' });
  const browser = new Browser(server, url);
  const [a, b] = (await workerPids(browser)).map((pid) => new Lane(pid));
  expect([a.pid, b.pid]).not.toContain(server.pid); // the primary serves nothing

  // register → SMS → code → verify → protected, alternating workers.
  const person = validPerson('clustered').body;
  const register = await a.send(browser, 'POST', '/api/user/register', person);
  const sms = await b.send(browser, 'POST', '/api/accountsecurity/sms', {});
  const inbox = await a.send(browser, 'GET', '/sandbox/inbox.json');
  const code = (inbox.body as unknown as { code: string; purpose: string }[]).find((m) => m.purpose === '2fa')?.code;
  const verify = await b.send(browser, 'POST', '/api/accountsecurity/verify', { token: code });
  const content = await a.send(browser, 'GET', '/api/protected');
  const steps = [register, sms, inbox, verify, content];
  expect(steps.map((s) => s.status)).toEqual([200, 200, 200, 200, 200]);
  expect(steps.map((s) => s.pid)).toEqual([a.pid, b.pid, a.pid, b.pid, a.pid]);
  expect(JSON.stringify(content.body)).toContain('clustered');

  // Push: requested on one worker, approved in the sandbox; the signed callback lands on some
  // worker, and the other worker sees the answer.
  expect((await b.send(browser, 'POST', '/api/logout', {})).status).toBe(200);
  const login = await a.send(browser, 'POST', '/api/login', { username: person.username, password: person.password });
  const created = await b.send(browser, 'POST', '/api/accountsecurity/onetouch', {});
  expect([login.status, created.status]).toEqual([200, 200]);
  const uuid = (created.body.approval_request as { uuid: string }).uuid;
  const after = server.lines.length - 1;
  expect((await a.send(browser, 'POST', `/sandbox/approvals/${uuid}/approve`, {})).status).toBe(200);
  const callback = await server.waitFor(/"msg":"POST \/api\/accountsecurity\/onetouch\/callback 200 /, { after });
  const [other, same] = callback.pid === a.pid ? [b, a] : [a, b];
  const status = await other.send(browser, 'POST', '/api/accountsecurity/onetouchstatus', {});
  expect(status).toMatchObject({ status: 200, pid: other.pid, body: { approval_request: { uuid, status: 'approved' } } });
  expect(status.pid).not.toBe(callback.pid);
  expect(await same.send(browser, 'POST', '/api/loggedIn', {})).toMatchObject({ status: 200, body: { url: '/protected' } });

  // Attempt limits: three wrong tokens spread over both workers, the fourth is refused.
  const limited = new Browser(server, url);
  expect((await a.send(limited, 'POST', '/api/user/register', validPerson('limited').body)).status).toBe(200);
  const wrong = [];
  for (const lane of [b, a, b, a]) wrong.push(await lane.send(limited, 'POST', '/api/accountsecurity/verify', { token: '0000000' }));
  expect(wrong.map((w) => w.status)).toEqual([401, 401, 401, 429]);
  expect(wrong.map((w) => w.pid)).toEqual([b.pid, a.pid, b.pid, a.pid]);

  a.close();
  b.close();
  process.kill(server.pid, 'SIGTERM');
  expect((await server.exited).code).toBe(0);
});

test('a worker killed during requests: the others answer, the primary starts another, no 5xx', async () => {
  const { server, url } = await startCluster();
  const browser = new Browser(server, url);
  // A logged-in session: each request reads it from the database, whichever worker answers.
  expect((await browser.send(false, 'POST', '/api/user/register', validPerson('loaded').body)).status).toBe(200);
  const [victim] = await workerPids(browser);
  const headers = {
    'content-type': 'application/json',
    cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    'x-xsrf-token': decodeURIComponent(browser.cookies.get(CSRF_COOKIE)!),
  };

  const results: { sent: number; result: number | string }[] = [];
  let running = true;
  const stopBy = Date.now() + 40_000; // never outlives the test, even a failed one
  const load = async () => {
    while (running && Date.now() < stopBy) {
      // A fresh connection per request: the primary spreads them over the workers it has.
      const sent = Date.now();
      const result = await fetch(`${url}/api/loggedIn`, {
        method: 'POST',
        headers: { ...headers, connection: 'close' },
        body: '{}',
        signal: AbortSignal.timeout(15_000),
      }).then(
        async (res) => (res.status === 200 && ((await res.json()) as { url: string }).url === '/2fa' ? 200 : res.status),
        (err: Error) => `error: ${(err.cause as Error | undefined)?.message ?? err.message}`,
      );
      results.push({ sent, result });
    }
  };
  const loaders = [load(), load(), load(), load()];
  let killedAt = 0;
  let noticedAt = 0;
  let replaced: LogLine;
  try {
    await until('some requests answered', () => results.length >= 20);
    const after = server.lines.length - 1;
    process.kill(victim, 'SIGKILL');
    killedAt = Date.now();
    noticedAt = (await server.waitFor(new RegExp(`worker ${victim} was killed by SIGKILL: starting another in 0.5 s`), { after })).time!;
    replaced = await server.waitFor(/"msg":"worker \d+ listening"/, { after });
    const answered = results.length;
    await until('more requests answered', () => results.length >= answered + 20, 20_000);
  } finally {
    running = false;
    await Promise.all(loaders);
  }

  expect(isAlive(server.pid)).toBe(true);
  // Never an HTTP error. Only a request sent between the kill and the moment the primary noticed
  // can fail: its connection is cut, or was handed to the dead worker and is never answered (the
  // client's timeout ends it).
  expect(results.filter((r) => typeof r.result === 'number' && r.result !== 200)).toEqual([]);
  const failed = results.filter((r) => r.result !== 200).map((r) => ({ ...r, sinceKill: r.sent - killedAt }));
  expect(failed.filter((r) => r.sent < killedAt - 100 || r.sent > noticedAt + 100)).toEqual([]);
  expect(failed.length).toBeLessThanOrEqual(4);
  // The new worker answers.
  const newPid = Number(/worker (\d+) listening/.exec(replaced.msg!)![1]);
  expect(newPid).not.toBe(victim);
  expect(server.lines.some((l) => l.pid === newPid && /POST \/api\/loggedIn 200/.test(l.msg ?? ''))).toBe(true);

  process.kill(server.pid, 'SIGTERM');
  expect((await server.exited).code).toBe(0);
});

test('SIGTERM to the primary with a request in flight in a worker: it is answered, every worker stops, exit 0', async () => {
  const authy = await startSlowAuthy();
  try {
    const { server, url } = await startCluster({ ACCOUNT_SECURITY_API_KEY: TEST_API_KEY, AUTHY_API_URL: authy.url });
    const browser = new Browser(server, url);
    const inFlight = browser.send(false, 'POST', '/api/user/register', validPerson('graceful').body);
    await authy.received();
    process.kill(server.pid, 'SIGTERM');
    await until('both workers are stopping', () => server.lines.filter((l) => /SIGTERM: stopping/.test(l.text)).length >= 3);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow(); // no longer accepting
    authy.release();
    expect(await inFlight).toMatchObject({ status: 200, body: { success: true } });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    const workers = new Set(server.lines.map((l) => l.pid).filter((pid) => pid !== undefined && pid !== server.pid));
    expect(workers.size).toBe(2);
    await until('no worker is left', () => [...workers].every((pid) => !isAlive(pid!)));
  } finally {
    await authy.close();
  }
});
