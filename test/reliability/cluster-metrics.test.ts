// WEB_CONCURRENCY=2 with metrics on: each worker counts for itself and the primary sums them.
// Probes sent on fresh connections (the primary spreads them over both workers, as the request
// log's pids show) are counted once each in the sum, on the primary's METRICS_PORT and on
// GET /metrics at the app's port, whichever worker answers that.
import { MongoClient } from 'mongodb';
import nock from 'nock';
import { TEST_SESSION_SECRET } from '../support/app';
import { freePort } from '../support/free-port';
import { parseMetrics, valueOf } from '../support/metrics-text';
import { prepareServerRoot, spawnServer, until } from '../support/server-process';

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

  // Fresh connections: the primary hands them to the workers in turn.
  for (let i = 0; i < 8; i++) expect((await fetch(`${url}/healthz`, { headers: { connection: 'close' } })).status).toBe(200);
  // Which worker answered each, from the request log (its lines may come a little after the answers).
  const probeLines = () => server.lines.filter((l) => /"msg":"GET \/healthz 200 /.test(l.text));
  await until('every probe is in the log', () => probeLines().length === 8);
  expect(new Set(probeLines().map((l) => l.pid)).size).toBe(2);

  const probes = (text: string) => valueOf(parseMetrics(text), 'asq_http_request_duration_seconds_count', { route: '/healthz' });
  const fromPrimary = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(fromPrimary.status).toBe(200);
  const primaryText = await fromPrimary.text();
  expect(probes(primaryText)).toBe(8);
  // Both workers' process metrics are in the sum too (one heap each, added up).
  expect(valueOf(parseMetrics(primaryText), 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);

  // GET /metrics on the app's port, on fresh connections (so on either worker): the same sum.
  for (let i = 0; i < 4; i++) {
    const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}`, connection: 'close' } });
    expect(res.status).toBe(200);
    expect(probes(await res.text())).toBe(8);
  }
  await until('every scrape is in the log', () => server.lines.filter((l) => /"msg":"GET \/metrics 200 /.test(l.text)).length === 4);
  const scrapedBy = new Set(server.lines.filter((l) => /"msg":"GET \/metrics 200 /.test(l.text)).map((l) => l.pid));
  expect(scrapedBy.size).toBe(2);
  expect((await fetch(`${url}/metrics`)).status).toBe(401);

  process.kill(server.pid, 'SIGTERM');
  expect((await server.exited).code).toBe(0);
});
