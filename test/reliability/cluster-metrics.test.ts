// WEB_CONCURRENCY=2 with metrics on: each worker counts for itself and the primary sums them.
// Failed logins sent on fresh connections (the primary spreads them over both workers, as the
// request log's pids show) are counted once each in the sum, on the primary's METRICS_PORT and
// on GET /metrics at the app's port, whichever worker answers that.
import { MongoClient } from 'mongodb';
import nock from 'nock';
import { anonymousToken, CSRF_COOKIE } from '../../server/http/csrf';
import { TEST_SESSION_SECRET } from '../support/app';
import { freePort } from '../support/free-port';
import { parseMetrics, valueOf } from '../support/metrics-text';
import { prepareServerRoot, spawnServer } from '../support/server-process';

jest.setTimeout(90_000);

const METRICS_TOKEN = 'cluster-metrics-token-0123456789abcdef';
const dbName = `cluster_metrics_${process.pid}`;
const databaseUri = () => {
  const uri = process.env.TEST_MONGODB_URI!;
  const at = uri.indexOf('/', uri.indexOf('://') + 3);
  return at < 0 ? `${uri}/${dbName}` : `${uri.slice(0, at)}/${dbName}${uri.slice(at + 1).replace(/^[^?]*/, '')}`;
};

beforeAll(() => nock.restore());

afterAll(async () => {
  const client = new MongoClient(databaseUri());
  await client
    .db(dbName)
    .dropDatabase()
    .catch(() => {});
  await client.close();
});

test('the primary serves the sum of both workers, on METRICS_PORT and through any worker', async () => {
  const root = await prepareServerRoot();
  const [port, metricsPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const server = spawnServer(root, {
    WEB_CONCURRENCY: '2',
    PORT: String(port),
    PUBLIC_URL: url,
    MONGODB_URI: databaseUri(),
    SESSION_SECRET: TEST_SESSION_SECRET,
    METRICS_TOKEN,
    METRICS_PORT: String(metricsPort),
  });
  await server.waitFor(/with 2 workers/);
  await server.waitFor(new RegExp(`metrics on http://127\\.0\\.0\\.1:${metricsPort}/metrics`));

  const csrf = anonymousToken(TEST_SESSION_SECRET);
  const failedLogin = () =>
    fetch(`${url}/api/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: `${CSRF_COOKIE}=${encodeURIComponent(csrf)}`,
        'x-xsrf-token': csrf,
        connection: 'close',
      },
      body: JSON.stringify({ username: 'nobody', password: 'not a password' }),
    }).then((res) => res.status);
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) statuses.push(await failedLogin());
  expect(statuses).toEqual(Array(8).fill(401));
  // Which worker answered each, from the request log.
  const answeredBy = server.lines.filter((l) => /"msg":"POST \/api\/login 401 /.test(l.text)).map((l) => l.pid);
  expect(answeredBy).toHaveLength(8);
  const perWorker = new Map<number, number>();
  for (const pid of answeredBy) perWorker.set(pid!, (perWorker.get(pid!) ?? 0) + 1);
  expect(perWorker.size).toBe(2);

  const failures = (text: string) => valueOf(parseMetrics(text), 'asq_logins_total', { method: 'password', outcome: 'failure' });
  const fromPrimary = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(fromPrimary.status).toBe(200);
  const primaryText = await fromPrimary.text();
  expect(failures(primaryText)).toBe(8);
  // Both workers' process metrics are in the sum too (one heap each, added up).
  expect(valueOf(parseMetrics(primaryText), 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);

  // GET /metrics on the app's port, on fresh connections (so on either worker): the same sum.
  for (let i = 0; i < 4; i++) {
    const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}`, connection: 'close' } });
    expect(res.status).toBe(200);
    expect(failures(await res.text())).toBe(8);
  }
  const scrapedBy = new Set(server.lines.filter((l) => /"msg":"GET \/metrics 200 /.test(l.text)).map((l) => l.pid));
  expect(scrapedBy.size).toBe(2);
  expect((await fetch(`${url}/metrics`)).status).toBe(401);

  process.kill(server.pid, 'SIGTERM');
  expect((await server.exited).code).toBe(0);
});
