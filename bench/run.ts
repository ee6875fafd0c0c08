// npm run bench: the app (sandbox mode, test database resolver) and a bare Express "hello" run as
// child processes; this process drives them with autocannon, reads the app's database command
// counts and RSS over IPC, and writes bench/results.json plus a table. See bench/README.md.
// scripts/bench.mjs bundles this file into a temporary folder (BENCH_BUILD) and runs it there.
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon, { type Request as AutocannonRequest } from 'autocannon';
import { build } from 'esbuild';
import { MongoClient } from 'mongodb';
import { resolveDatabase } from '../server/embedded-db/resolve';
import { NODE_FLAGS } from '../server/start/node-flags';
import { buildAgainst, commitOf, type AgainstBuild } from './lib/against';
import { baselineOf, compareWithBaseline, comparisonLines, loadBaseline, saveBaseline, type Comparison } from './lib/baseline';
import { runBurst, type BurstResult } from './lib/burst';
import { cacheHeaders, firstLoadWeight, navigationLoads, type CacheHeaders, type FirstLoad, type Navigation } from './lib/checks';
import { Child, ROOT, timeRealServerStart, type ListeningMessage, type StatsMessage } from './lib/children';
import { cpuMicros, cpuQuiet, perRequest } from './lib/proc';
import { MB, median, percentile, runFigures, summarize, table, targetLines, type RunFigures, type Target } from './lib/report';
import { SCENARIOS, type BenchOptions, type FlowExtra, type Prepared, type Replay } from './lib/scenarios';
import { SERVER_BUNDLE } from '../scripts/server-bundle.mjs';
import { compareWorkers, withDatabase, type WorkersResult } from './lib/workers';

// What runs is a snapshot of dist/ (outside the tree, so linters never see the bundles): a
// rebuild during the run changes nothing. node_modules is linked into the folder.
const BUILD = process.env.BENCH_BUILD ?? path.join(tmpdir(), `asq-bench-build-${process.pid}`);
const PUBLIC_DIR = path.join(BUILD, 'public');
const APP_SERVER = path.join(BUILD, 'app-server.js');
const HELLO_SERVER = path.join(BUILD, 'hello-server.js');
const REAL_SERVER = path.join(BUILD, 'server', 'index.js');
const SESSIONS = 'sessions';
/** Not replayed by autocannon: run once each, after the others (see bench/README.md). */
const SPECIAL = ['burst', 'workers'];

const env = (name: string, fallback: string) => process.env[`BENCH_${name}`] ?? fallback;
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: env('DURATION', '5') },
    warmup: { type: 'string', default: env('WARMUP', '5') },
    runs: { type: 'string', default: env('RUNS', '3') },
    connections: { type: 'string', default: env('CONNECTIONS', '50') },
    'login-connections': { type: 'string', default: env('LOGIN_CONNECTIONS', '4') },
    'flow-connections': { type: 'string', default: env('FLOW_CONNECTIONS', '4') },
    'flow-users': { type: 'string', default: env('FLOW_USERS', '24') },
    'burst-flows': { type: 'string', default: env('BURST_FLOWS', '200') },
    'startup-runs': { type: 'string', default: env('STARTUP_RUNS', '3') },
    scenarios: { type: 'string', default: env('SCENARIOS', [...Object.keys(SCENARIOS), ...SPECIAL].join(',')) },
    'log-level': { type: 'string', default: env('LOG_LEVEL', 'info') },
    profile: { type: 'boolean', default: env('PROFILE', '') !== '' },
    'profile-scenario': { type: 'string', default: env('PROFILE_SCENARIO', '') },
    'no-browser': { type: 'boolean', default: false },
    out: { type: 'string', default: env('OUT', path.join(ROOT, 'bench', 'results.json')) },
    baseline: { type: 'string', default: env('BASELINE', path.join(ROOT, 'bench', 'baseline.json')) },
    compare: { type: 'boolean', default: env('COMPARE', '') !== '' },
    'save-baseline': { type: 'boolean', default: false },
    against: { type: 'string', default: env('AGAINST', '') },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(
    'npm run bench -- [--duration s] [--warmup s] [--runs n] [--connections n] [--login-connections n] [--flow-connections n]\n' +
      '  [--flow-users n] [--burst-flows n] [--scenarios a,b] [--log-level info|warn|silent] [--profile] [--profile-scenario name]\n' +
      '  [--no-browser] [--out file] [--compare] [--save-baseline] [--baseline file] [--against other-checkout]\n' +
      `scenarios: ${[...Object.keys(SCENARIOS), ...SPECIAL].join(', ')}`,
  );
  process.exit(0);
}
const opts: BenchOptions & { burstFlows: number; startupRuns: number; scenarios: string[]; logLevel: string } = {
  duration: Number(args.duration),
  warmup: Number(args.warmup),
  runs: Number(args.runs),
  connections: Number(args.connections),
  loginConnections: Number(args['login-connections']),
  flowConnections: Number(args['flow-connections']),
  flowUsers: Number(args['flow-users']),
  burstFlows: Number(args['burst-flows']),
  startupRuns: Number(args['startup-runs']),
  scenarios: args.scenarios
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
  logLevel: args['log-level'],
};
for (const name of opts.scenarios) {
  if (!SCENARIOS[name] && !SPECIAL.includes(name)) {
    throw new Error(`unknown scenario ${name} (known: ${[...Object.keys(SCENARIOS), ...SPECIAL].join(', ')})`);
  }
}

const t0 = Date.now();
const say = (...a: unknown[]) => console.error(`[bench +${Math.round((Date.now() - t0) / 1000)}s]`, ...a);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10;
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function snapshotBuild(): Promise<AgainstBuild | undefined> {
  const dist = path.join(ROOT, 'dist');
  if (!existsSync(path.join(dist, 'public', 'index.html')) || !existsSync(path.join(dist, 'server', 'index.js'))) {
    throw new Error('dist/ is not built: run `npm run bench` (it builds first) or `npm run build`');
  }
  await cp(path.join(dist, 'public'), PUBLIC_DIR, { recursive: true });
  await cp(path.join(dist, 'server'), path.join(BUILD, 'server'), { recursive: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: { 'app-server': 'bench/app-server.ts', 'hello-server': 'bench/hello-server.ts' },
    ...SERVER_BUNDLE,
    outdir: BUILD,
  });
  return args.against ? buildAgainst(ROOT, path.resolve(args.against), path.join(BUILD, 'against')) : undefined;
}

/**
 * Stats once the requests cut off at the end of a run have finished: none in flight, and the
 * orphans (client gone, handler maybe still working) and the command counts still for `quietMs`.
 */
async function drained(child: Child, quietMs = 300, timeoutMs = 30_000): Promise<StatsMessage> {
  const deadline = Date.now() + timeoutMs;
  let stats = await child.stats();
  if (stats.inFlight === undefined) return stats; // the hello server keeps no such count
  const mark = (x: StatsMessage) => `${x.inFlight}|${x.orphans}|${x.counts?.reads}|${x.counts?.writes}`;
  let last = mark(stats);
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await sleep(50);
    stats = await child.stats();
    if (mark(stats) !== last) {
      last = mark(stats);
      quietSince = Date.now();
    } else if (stats.inFlight === 0 && Date.now() - quietSince >= quietMs) break;
  }
  return stats;
}

interface MeasuredRun extends RunFigures {
  loadAverage: number;
  rssEnd: number;
  heapUsed?: number;
  rssPeak: number;
  extra?: FlowExtra;
}

/**
 * Warm-up, then `runs` measured runs; the server's command counters are reset around each, and
 * its CPU time (and the database's, when `dbPid` is known) is read from /proc before and after.
 */
async function measure(
  child: Child,
  baseUrl: string,
  request: Replay,
  connections: number,
  { extra, quietMs, dbPid }: { extra?: Prepared['extra']; quietMs?: number; dbPid?: number } = {},
) {
  const requests: AutocannonRequest[] = 'requests' in request ? request.requests : [request];
  const run = (duration: number) => autocannon({ url: baseUrl, connections, duration, timeout: 10, requests });
  if (opts.warmup > 0) {
    await run(opts.warmup);
    await drained(child, quietMs);
    extra?.();
  }
  await child.stats({ reset: true }); // RSS peak and counts from here on
  const runs: MeasuredRun[] = [];
  for (let i = 0; i < opts.runs; i++) {
    await child.stats({ reset: true });
    const cpuBefore = { app: cpuMicros(child.proc.pid), db: cpuMicros(dbPid) };
    const result = await run(opts.duration);
    const after = await drained(child, quietMs);
    // Per request sent: a request cut off at the end was still served (drained() waits for it).
    const sent = result.requests.sent;
    runs.push({
      ...runFigures(result, after.counts, SESSIONS),
      appCpuUs: perRequest(cpuBefore.app, cpuMicros(child.proc.pid), sent),
      dbCpuUs: perRequest(cpuBefore.db, cpuMicros(dbPid), sent),
      loadAverage: loadavg()[0],
      rssEnd: after.rss,
      heapUsed: after.heapUsed,
      rssPeak: after.rssPeak,
      ...(extra ? { extra: extra() } : {}),
    });
  }
  const last = runs[runs.length - 1];
  return {
    runs,
    median: summarize(runs),
    rssEndMB: mb(last.rssEnd),
    ...(last.heapUsed ? { heapUsedEndMB: mb(last.heapUsed) } : {}),
    rssPeakMB: mb(Math.max(...runs.map((r) => r.rssPeak))),
  };
}

interface HashTiming {
  ms: number[];
  medianMs: number;
  ceilingPerSecond: number;
}

/** One production password hash, timed (median of `count`) in the idle app server: the login ceiling is cores ÷ this. */
async function timeHash(app: Child, count = 3): Promise<HashTiming> {
  const answer = app.next('hash', 60_000);
  app.proc.send({ type: 'hash', count });
  const { ms } = await answer;
  const medianMs = median(ms) ?? 0;
  return {
    ms: ms.map(Math.round),
    medianMs: Math.round(medianMs),
    ceilingPerSecond: Math.round((availableParallelism() / (medianMs / 1000)) * 100) / 100,
  };
}

type Measured = Awaited<ReturnType<typeof measure>>;

interface ScenarioResult extends Partial<Measured> {
  name: string;
  title: string;
  connections: number;
  error?: string;
  readOnly?: boolean;
  hashBound?: boolean;
  ratioToHello?: number;
  cpuRatioToHello?: number | null;
  ratioToHashCeiling?: number;
  sessionAgeSeconds?: number;
  hash?: HashTiming;
  flow?: { flowsPerSecond: number; p50Ms: number | null; p99Ms: number | null; failedSteps: Record<string, number> | undefined };
}

type HelloResult = Measured & { connections: number };

/** The hello measured at `connections`, else the one at --connections (the first). */
const helloAt = (hellos: readonly HelloResult[], connections: number) => hellos.find((h) => h.connections === connections) ?? hellos[0];

async function runScenario(
  name: string,
  app: Child,
  baseUrl: string,
  hellos: readonly HelloResult[],
  dbPid?: number,
): Promise<ScenarioResult> {
  const scenario = SCENARIOS[name];
  const connections = scenario.connections(opts);
  // Timed right before, so the ceiling sees the same machine (and the same neighbours) as the run.
  const hash = scenario.hashBound ? await timeHash(app) : undefined;
  const started = Date.now();
  say(`${name}: preparing`);
  const prepared = await scenario.prepare(baseUrl, opts);
  say(`${name}: ${opts.warmup} s warm-up, ${opts.runs} × ${opts.duration} s at ${connections} connections`);
  // A cut-off login may still be hashing with nothing else to show for it: wait out a few hashes.
  const quietMs = hash ? Math.max(300, 2.5 * hash.medianMs) : 300;
  const measured = await measure(app, baseUrl, prepared.request, connections, { extra: prepared.extra, quietMs, dbPid });
  const out: ScenarioResult = {
    name,
    title: scenario.title,
    connections,
    readOnly: Boolean(scenario.readOnly),
    hashBound: Boolean(scenario.hashBound),
    ...measured,
  };
  const hello = helloAt(hellos, connections).median;
  out.ratioToHello = Math.round(((measured.median.rps ?? 0) / (hello.rps ?? 1)) * 1000) / 1000;
  const cpu = measured.median.appCpuUs;
  out.cpuRatioToHello = cpu !== null && hello.appCpuUs ? Math.round((cpu / hello.appCpuUs) * 100) / 100 : null;
  // The session was made in prepare(): its age bounds the touches touchAfter allows.
  out.sessionAgeSeconds = Math.round((Date.now() - started) / 1000);
  if (hash) out.hash = hash;
  if (prepared.extra) {
    const extras = measured.runs.map((r) => r.extra!);
    const flowsPerSecond = median(extras.map((e) => e.flows / opts.duration)) ?? 0;
    const times = extras.flatMap((e) => e.flowTimesMs);
    const failedSteps: Record<string, number> = {};
    for (const e of extras) for (const [k, v] of Object.entries(e.failedSteps)) failedSteps[k] = (failedSteps[k] ?? 0) + v;
    for (const e of extras) e.flowTimesMs = [];
    out.flow = {
      flowsPerSecond: Math.round(flowsPerSecond * 100) / 100,
      p50Ms: percentile(times, 50),
      p99Ms: percentile(times, 99),
      failedSteps: Object.keys(failedSteps).length ? failedSteps : undefined,
    };
  }
  return out;
}

interface Startup {
  realServerMs: number[];
  realServerMedianMs: number | null;
  benchEntryMs: number[];
  benchEntryMedianMs: number;
  benchEntryPhases?: Record<string, number>;
  error?: string;
}

async function startupTimes(dbUri: string): Promise<Startup> {
  const real: number[] = [];
  const bench: { ms: number; timings?: Record<string, number> }[] = [];
  let error: string | undefined;
  for (let i = 0; i < opts.startupRuns; i++) {
    try {
      real.push(
        await timeRealServerStart(REAL_SERVER, {
          MONGODB_URI: withDatabase(dbUri, 'bench_startup'),
          SESSION_SECRET: 'bench-session-secret-0123456789abcdef-0123456789',
          AUTHY_SANDBOX_KEY: 'bench-sandbox-key-0123456789',
          LOG_LEVEL: 'info',
        }),
      );
    } catch (err) {
      error = `dist/server/index.js: ${errorText(err)}`;
      break;
    }
  }
  for (let i = 0; i < opts.startupRuns; i++) {
    const child = new Child('app (start-up)', APP_SERVER, {
      execArgv: [...NODE_FLAGS],
      env: { BENCH_MONGODB_URI: dbUri, BENCH_DB_NAME: 'bench_startup_entry', BENCH_LOG_LEVEL: 'warn', BENCH_PUBLIC_DIR: PUBLIC_DIR },
    });
    const info = await child.listening();
    bench.push({ ms: info.startMs, timings: info.timings });
    await child.stop();
  }
  const client = new MongoClient(dbUri);
  await client.connect();
  await client
    .db('bench_startup')
    .dropDatabase()
    .catch(() => {});
  await client.close();
  const realMedian = median(real);
  return {
    realServerMs: real.map(Math.round),
    realServerMedianMs: realMedian === null ? null : Math.round(realMedian),
    benchEntryMs: bench.map((b) => Math.round(b.ms)),
    benchEntryMedianMs: Math.round(median(bench.map((b) => b.ms)) ?? 0),
    benchEntryPhases: bench.at(-1)?.timings,
    ...(error ? { error } : {}),
  };
}

async function profileScenario(name: string, dbUri: string, hellos: readonly HelloResult[]): Promise<string | null> {
  const dir = path.join(ROOT, 'bench', 'profiles');
  await mkdir(dir, { recursive: true });
  const before = new Set(await readdir(dir));
  const logFile = path.join(tmpdir(), `asq-bench-profile-${process.pid}.log`);
  const child = new Child('app (profiled)', APP_SERVER, {
    execArgv: [...NODE_FLAGS, '--cpu-prof', `--cpu-prof-dir=${dir}`],
    env: { BENCH_MONGODB_URI: dbUri, BENCH_DB_NAME: 'bench_profile', BENCH_LOG_LEVEL: opts.logLevel, BENCH_PUBLIC_DIR: PUBLIC_DIR },
    logFile,
  });
  const info = await child.listening();
  const saved = { runs: opts.runs, warmup: opts.warmup };
  Object.assign(opts, { runs: 1, warmup: Math.min(opts.warmup, 2) });
  try {
    await runScenario(name, child, `http://127.0.0.1:${info.port}`, hellos);
  } finally {
    Object.assign(opts, saved);
    await child.stop();
    await rm(logFile, { force: true });
  }
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
  return files.length ? path.relative(ROOT, path.join(dir, files[0])) : null;
}

/** The code "the phone" got, read from the sandbox's collection (its inbox page shows only the newest 50). */
function sandboxCodes(dbUri: string, dbName: string) {
  const client = new MongoClient(dbUri);
  const codes = client.db(dbName).collection<{ to: string; code: string; sentAt: Date }>('sandbox_codes');
  return {
    codeOf: async (person: { last4: string }, since: number) => {
      const found = await codes
        .find({ to: { $regex: `${person.last4}$` }, sentAt: { $gte: new Date(since - 1000) } })
        .sort({ sentAt: -1 })
        .limit(1)
        .toArray();
      return found[0]?.code;
    },
    close: () => client.close(),
  };
}

interface Results {
  date: string;
  machine: { node: string; cores: number; platform: string; loadAverageAtStart: number };
  database: { kind?: string; isFerretDB?: boolean };
  options: typeof opts;
  hash: HashTiming;
  /** Once the start-up's password hash is done (the app's CPU is quiet). */
  rss: { afterStartMB: number; helloIdleMB: number };
  startup: Startup;
  firstLoad: FirstLoad;
  cacheHeaders: CacheHeaders[];
  navigation: Navigation;
  /** The bare Express hello at --connections, then at each other scenario's connections. */
  hellos: HelloResult[];
  scenarios: ScenarioResult[];
  baseline?: { file: string; comparisons: Comparison[]; lines: string[] } | { file: string; error: string };
  burst?: BurstResult | { error: string };
  workers?: WorkersResult[] | { error: string };
  profile?: { scenario: string; file: string | null };
  /** --against: the other checkout, measured in the same run, on the same database, beside the same hellos. */
  against?: {
    root: string;
    commit: string | null;
    rss: { afterStartMB: number };
    scenarios: ScenarioResult[];
    burst?: BurstResult | { error: string };
  };
  targets?: Target[];
  elapsedSeconds?: number;
}

function targets(results: Results): Target[] {
  const t: Target[] = [];
  const add = (name: string, value: unknown, limit: string, pass: boolean | null) => t.push({ name, value, limit, pass });
  const byName = Object.fromEntries(results.scenarios.filter((s) => !s.error && s.median).map((s) => [s.name, s])) as Record<
    string,
    ScenarioResult & Measured
  >;
  for (const s of Object.values(byName).filter((x) => x.readOnly)) {
    const m = s.median;
    // touchAfter (60 s) lets an unchanged session be touched once a minute; every request in
    // flight at that moment read the old lastModified, so a burst of up to `connections` writes.
    const allowed = s.connections * Math.floor((s.sessionAgeSeconds ?? 0) / 60);
    add(
      `${s.name}: session writes`,
      `${m.sessionWrites} in ${s.runs.reduce((n, r) => n + r.sent, 0)} requests (session ${s.sessionAgeSeconds} s old at the end${allowed ? `: touch bursts allow ${allowed}` : ''})`,
      '0, but for touchAfter',
      m.sessionWrites <= allowed,
    );
    add(`${s.name}: database reads per request`, m.readsPerRequest, '≤ 1', (m.readsPerRequest ?? Infinity) <= 1.001);
  }
  for (const li of [byName.loggedIn, byName.loggedIn10].filter(Boolean)) {
    const hello = helloAt(results.hellos, li.connections);
    const at = `at ${li.connections} connections`;
    const cpu = li.cpuRatioToHello;
    add(
      `loggedIn ${at}: app CPU per request`,
      `${li.median.appCpuUs ?? '–'} µs = ×${cpu ?? '–'} the bare Express hello's ${hello.median.appCpuUs ?? '–'} µs (database ${li.median.dbCpuUs ?? '–'} µs)`,
      '≤ 2.5× hello',
      cpu === null || cpu === undefined ? null : cpu <= 2.5,
    );
    const ratio = li.ratioToHello ?? 0;
    add(
      `loggedIn ${at}: share of the bare-Express ceiling`,
      `${(ratio * 100).toFixed(1)} % (${(li.median.rps ?? 0).toFixed(0)} / ${(hello.median.rps ?? 0).toFixed(0)} req/s)`,
      '≥ 28 %',
      ratio >= 0.28,
    );
    const p99Ratio = (li.median.p99 ?? Infinity) / (hello.median.p99 ?? 1);
    add(
      `loggedIn ${at}: p99`,
      `${li.median.p99} ms = ×${p99Ratio.toFixed(2)} the bare Express hello's ${hello.median.p99} ms`,
      '≤ 3× hello',
      p99Ratio <= 3,
    );
  }
  const li = byName.loggedIn;
  if (li) {
    // The targets of an earlier round, kept beside the ones above (which are ratios to hello).
    const ratio = li.ratioToHello ?? 0;
    add('loggedIn: share of the bare-Express ceiling (earlier target)', `${(ratio * 100).toFixed(1)} %`, '≥ 40 %', ratio >= 0.4);
    add(
      `loggedIn: p99 at ${li.connections} connections (earlier target)`,
      `${li.median.p99} ms`,
      '< 20 ms',
      (li.median.p99 ?? Infinity) < 20,
    );
  }
  const login = byName.login;
  if (login?.hash) {
    const ratio = login.ratioToHashCeiling ?? 0;
    add(
      'login: share of the hash-bound ceiling',
      `${(ratio * 100).toFixed(1)} % (${(login.median.rps ?? 0).toFixed(2)} / ${login.hash.ceilingPerSecond.toFixed(2)} per s; one hash ${login.hash.medianMs} ms)`,
      '≥ 80 %',
      ratio >= 0.8,
    );
    const throttled = login.median.statusCodes['429'] ?? 0;
    add('login: no 429 from the attempt limits', `${throttled} × 429`, '(reported)', throttled === 0);
  }
  const flow = byName.flow;
  if (flow?.hash && flow.flow) {
    add(
      'flow: share of the hash-bound ceiling',
      `${((flow.ratioToHashCeiling ?? 0) * 100).toFixed(1)} % (${flow.flow.flowsPerSecond} / ${flow.hash.ceilingPerSecond.toFixed(2)} whole flows per s)`,
      '(reported)',
      null,
    );
  }
  const burst = results.burst;
  if (burst && !('error' in burst)) {
    add(
      `burst of ${burst.flows} flows: p99 of an answered request`,
      `${burst.answered.p99} ms (p50 ${burst.answered.p50} ms; ${burst.refused503} × 503; ${burst.completed}/${burst.flows} flows in ${burst.seconds} s)`,
      '≤ 5000 ms',
      (burst.answered.p99 ?? Infinity) <= 5000,
    );
  }
  const workers = results.workers;
  if (Array.isArray(workers) && workers.length === 2) {
    const [one, two] = workers.map((w) => w.median);
    add(
      'loggedIn with WEB_CONCURRENCY=2 against 1 worker',
      `${(two.rps ?? 0).toFixed(0)} vs ${(one.rps ?? 0).toFixed(0)} req/s (×${((two.rps ?? 0) / (one.rps || 1)).toFixed(2)}), p99 ${two.p99} vs ${one.p99} ms`,
      '(reported)',
      null,
    );
  }
  const w = results.firstLoad;
  add(
    'SPA first load JS+CSS gzipped',
    `${(w.gzip / 1000).toFixed(1)} kB (raw ${(w.bytes / 1000).toFixed(1)} kB, brotli ${(w.brotli / 1000).toFixed(1)} kB)`,
    '≤ 150 kB',
    w.gzip <= 150_000,
  );
  const nav = results.navigation;
  add(
    'navigation loads no further script',
    nav.skipped !== undefined
      ? `not checked: ${nav.skipped}`
      : `${nav.furtherScriptsOrPages.length} further script/stylesheet/page loads over ${nav.visited.filter((v) => v.reached).length} page changes`,
    '0',
    nav.skipped !== undefined ? null : nav.furtherScriptsOrPages.length === 0,
  );
  const assets = results.cacheHeaders.filter((h) => h.url !== '/');
  const longLived = (cc: string | null) => /immutable/.test(cc ?? '') && Number(/max-age=(\d+)/.exec(cc ?? '')?.[1] ?? 0) >= 30 * 86400;
  add(
    'assets: content hash + long-lived Cache-Control',
    assets.map((a) => `${a.url}: ${a.cacheControl}`).join('; '),
    'hashed, immutable, max-age ≥ 30 d',
    assets.length > 0 && assets.every((a) => a.hashed && longLived(a.cacheControl)),
  );
  const shell = results.cacheHeaders.find((h) => h.url === '/');
  add('SPA shell is revalidated', `${shell?.cacheControl}`, 'no-cache', /no-cache|no-store|max-age=0/.test(shell?.cacheControl ?? ''));
  add(
    'assets compressed on the wire',
    assets.map((a) => `${a.url}: ${a.contentEncoding ?? 'identity'}`).join('; '),
    '(reported)',
    assets.every((a) => a.contentEncoding),
  );
  add('server RSS after start (its password hash done)', `${results.rss.afterStartMB} MB`, '≤ 100 MB', results.rss.afterStartMB <= 100);
  const reader = byName.loggedIn ?? byName.loggedIn10;
  if (reader) {
    add(
      `server RSS after the ${reader.name} scenario`,
      `${reader.rssEndMB} MB (V8 heap used ${reader.heapUsedEndMB} MB, peak during it ${reader.rssPeakMB} MB)`,
      '≤ 180 MB',
      reader.rssEndMB <= 180,
    );
  }
  const heaviest = Object.values(byName).sort((a, b) => b.rssEndMB - a.rssEndMB)[0];
  if (heaviest) {
    add(
      'server RSS at the end of the heaviest scenario',
      `${heaviest.rssEndMB} MB after ${heaviest.name}, V8 heap used ${heaviest.heapUsedEndMB} MB (peak during it ${heaviest.rssPeakMB} MB)`,
      '≤ 200 MB',
      heaviest.rssEndMB <= 200,
    );
  }
  const st = results.startup;
  if (st.realServerMedianMs !== null)
    add(
      'start → listening (database up), dist/server/index.js',
      `${st.realServerMedianMs} ms (runs ${st.realServerMs.join(', ')})`,
      '< 1500 ms',
      st.realServerMedianMs < 1500,
    );
  else add('start → listening (database up), dist/server/index.js', st.error, '< 1500 ms', false);
  return t;
}

async function main(): Promise<void> {
  const started = Date.now();
  const other = await snapshotBuild();
  const cores = availableParallelism();
  const load = loadavg()[0];
  if (load > cores / 2)
    say(
      `warning: load average ${load.toFixed(1)} on ${cores} cores before starting: other work will skew the figures (ratios to hello less so)`,
    );
  const logFile = path.join(tmpdir(), `asq-bench-app-${process.pid}.log`);
  // The database is started here, not in the app server: what its resolver loads (the
  // mongodb-memory-server attempt before FerretDB) is no part of the app's memory or CPU.
  const database = await resolveDatabase({ uri: process.env.MONGODB_URI, dataDir: tmpdir(), ephemeral: true });
  const hello = new Child('hello', HELLO_SERVER);
  const app = new Child('app', APP_SERVER, {
    execArgv: [...NODE_FLAGS],
    env: {
      BENCH_LOG_LEVEL: opts.logLevel,
      BENCH_PUBLIC_DIR: PUBLIC_DIR,
      BENCH_MONGODB_URI: database.uri,
      BENCH_DB_KIND: database.kind,
      ...(database.pid ? { BENCH_DB_PID: String(database.pid) } : {}),
    },
    logFile,
  });
  const otherLog = path.join(tmpdir(), `asq-bench-against-${process.pid}.log`);
  const before = other
    ? new Child('app (--against)', other.appServer, {
        execArgv: other.nodeFlags,
        env: {
          BENCH_LOG_LEVEL: opts.logLevel,
          BENCH_PUBLIC_DIR: other.publicDir,
          BENCH_MONGODB_URI: database.uri,
          BENCH_DB_KIND: database.kind,
          ...(database.pid ? { BENCH_DB_PID: String(database.pid) } : {}),
        },
        logFile: otherLog,
      })
    : undefined;
  const stopAll = () => Promise.all([hello.stop(), app.stop(), before?.stop()]).then(() => database.stop());
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const [helloInfo, appInfo, beforeInfo]: (ListeningMessage | undefined)[] = await Promise.all([
      hello.listening(),
      app.listening(),
      before?.listening(),
    ]);
    if (!helloInfo || !appInfo) throw new Error('the hello or the app server did not start');
    const beforeUrl = beforeInfo && `http://127.0.0.1:${beforeInfo.port}`;
    if (beforeUrl) say(`--against ${other!.root} (${other!.commit ?? 'no commit'}) on ${beforeUrl}, log in ${otherLog}`);
    const helloUrl = `http://127.0.0.1:${helloInfo.port}`;
    const baseUrl = `http://127.0.0.1:${appInfo.port}`;
    const dbUri = appInfo.dbUri!;
    say(`app on ${baseUrl} (${appInfo.dbKind}${appInfo.isFerretDB ? ', FerretDB' : ''}), log in ${logFile}; hello on ${helloUrl}`);

    // The app hashes one password at start (its hash queue's first estimate): RSS once that is done.
    await Promise.all([cpuQuiet(app.proc.pid), before && cpuQuiet(before.proc.pid)]);
    const idle = await app.stats({ reset: true });
    const beforeIdle = await before?.stats({ reset: true });
    const helloIdle = await hello.stats();

    say('start-up times (database already up)');
    const startup = await startupTimes(dbUri);

    const firstLoad = await firstLoadWeight(PUBLIC_DIR);
    const headers = await cacheHeaders(
      baseUrl,
      firstLoad.files.map((f) => f.url),
    );
    say('page changes in Chromium');
    const navigation: Navigation = args['no-browser']
      ? { skipped: '--no-browser' }
      : await navigationLoads(baseUrl).catch((err: unknown) => ({ skipped: `failed: ${errorText(err)}` }));

    // At --connections, and at the connections of every scenario that is compared with it.
    const helloConnections = new Set([opts.connections]);
    for (const name of opts.scenarios.filter((n) => SCENARIOS[n] && !SCENARIOS[n].hashBound)) {
      helloConnections.add(SCENARIOS[name].connections(opts));
    }
    const hellos: HelloResult[] = [];
    for (const connections of helloConnections) {
      say(`hello: ${opts.warmup} s warm-up, ${opts.runs} × ${opts.duration} s at ${connections} connections`);
      hellos.push({ connections, ...(await measure(hello, helloUrl, { method: 'GET', path: '/' }, connections)) });
    }

    const tryScenario = async (name: string, child: Child, url: string): Promise<ScenarioResult> => {
      try {
        return await runScenario(name, child, url, hellos, appInfo.dbPid);
      } catch (err) {
        say(`${name} failed: ${errorText(err)}`);
        return { name, title: SCENARIOS[name].title, connections: SCENARIOS[name].connections(opts), error: errorText(err) };
      }
    };
    const scenarios: ScenarioResult[] = [];
    const beforeScenarios: ScenarioResult[] = [];
    for (const [i, name] of opts.scenarios.filter((n) => !SPECIAL.includes(n)).entries()) {
      // With --against, each scenario runs on both apps back to back, in turns first, so a
      // neighbour's load that comes and goes weighs on both alike.
      const runBefore = async () => {
        if (!before || !beforeUrl) return;
        say(`${name} on --against`);
        beforeScenarios.push(await tryScenario(name, before, beforeUrl));
      };
      if (i % 2 === 1) await runBefore();
      scenarios.push(await tryScenario(name, app, baseUrl));
      if (i % 2 === 0) await runBefore();
    }

    const results: Results = {
      date: new Date().toISOString(),
      machine: {
        node: process.version,
        cores,
        platform: `${process.platform} ${process.arch}`,
        loadAverageAtStart: Math.round(load * 100) / 100,
      },
      database: { kind: appInfo.dbKind, isFerretDB: appInfo.isFerretDB },
      options: opts,
      hash: scenarios.find((x) => x.hash)?.hash ?? (await timeHash(app)),
      rss: { afterStartMB: mb(idle.rss), helloIdleMB: mb(helloIdle.rss) },
      startup,
      firstLoad,
      cacheHeaders: headers,
      navigation,
      hellos,
      scenarios,
    };
    for (const s of scenarios.filter((x) => x.hashBound && !x.error && x.hash)) {
      const perSecond = s.flow ? s.flow.flowsPerSecond : (s.median?.rps ?? 0);
      s.ratioToHashCeiling = Math.round((perSecond / s.hash!.ceilingPerSecond) * 1000) / 1000;
    }

    if (before && beforeInfo && other) {
      results.against = { root: other.root, commit: other.commit, rss: { afterStartMB: mb(beforeIdle!.rss) }, scenarios: beforeScenarios };
      for (const s of beforeScenarios.filter((x) => x.hashBound && !x.error && x.hash)) {
        const perSecond = s.flow ? s.flow.flowsPerSecond : (s.median?.rps ?? 0);
        s.ratioToHashCeiling = Math.round((perSecond / s.hash!.ceilingPerSecond) * 1000) / 1000;
      }
    }
    const burst = async (url: string, dbName: string, label: string): Promise<BurstResult | { error: string }> => {
      say(`burst${label}: ${opts.burstFlows} flows at once (register → SMS → code → verify → protected)`);
      const codes = sandboxCodes(dbUri, dbName);
      try {
        return await runBurst(url, opts.burstFlows, codes.codeOf);
      } catch (err) {
        say(`burst failed: ${errorText(err)}`);
        return { error: errorText(err) };
      } finally {
        await codes.close();
      }
    };
    if (opts.scenarios.includes('burst')) {
      results.burst = await burst(baseUrl, appInfo.dbName!, '');
      if (results.against && beforeUrl && beforeInfo?.dbName)
        results.against.burst = await burst(beforeUrl, beforeInfo.dbName, ' on --against');
    }
    if (opts.scenarios.includes('workers')) {
      try {
        results.workers = await compareWorkers(REAL_SERVER, dbUri, opts, say);
      } catch (err) {
        say(`workers failed: ${errorText(err)}`);
        results.workers = { error: errorText(err) };
      }
    }

    const profileName = args['profile-scenario'] || (args.profile ? worstScenario(scenarios) : '');
    if (profileName) {
      say(`profiling ${profileName} with --cpu-prof`);
      results.profile = { scenario: profileName, file: await profileScenario(profileName, dbUri, hellos) };
    }
    if (args.compare) results.baseline = await compareBaseline(results);

    results.targets = targets(results);
    results.elapsedSeconds = Math.round((Date.now() - started) / 1000);
    await writeFile(args.out, JSON.stringify(results, null, 2) + '\n');
    if (args['save-baseline']) await saveBaseline(args.baseline, baselineOf(results, commitOf(ROOT)));
    print(results);
    // A rise past the baseline fails the command, so a script (or a person) cannot miss it.
    if (results.baseline && 'comparisons' in results.baseline && results.baseline.comparisons.some((c) => c.flagged)) {
      process.exitCode = 1;
    }
    await rm(logFile, { force: true });
  } catch (err) {
    say(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    const size = await stat(logFile)
      .then((s) => s.size)
      .catch(() => 0);
    if (size) say(`the app's log is in ${logFile}`);
    process.exitCode = 1;
  } finally {
    await stopAll();
  }
}

async function compareBaseline(results: Results): Promise<NonNullable<Results['baseline']>> {
  const file = path.relative(process.cwd(), args.baseline);
  try {
    const baseline = await loadBaseline(args.baseline);
    const comparisons = compareWithBaseline(results, baseline);
    return { file, comparisons, lines: comparisonLines(comparisons, baseline, results) };
  } catch (err) {
    return { file, error: errorText(err) };
  }
}

/** The scenario furthest below its own ceiling: the hash for login and the flow, bare Express for the rest. */
function worstScenario(scenarios: ScenarioResult[]): string {
  const ok = scenarios.filter((s) => !s.error);
  const share = (s: ScenarioResult) => (s.hashBound ? (s.ratioToHashCeiling ?? 0) : (s.ratioToHello ?? 0));
  return ok.sort((a, b) => share(a) - share(b))[0]?.name ?? '';
}

/** Each scenario of --against beside this checkout's: CPU per request (and × hello's), req/s, p99, RSS. */
function againstLines(r: Results, against: NonNullable<Results['against']>): string[] {
  const f = (x: number | null | undefined, digits = 0) => (x === null || x === undefined ? '–' : x.toFixed(digits));
  const lines = [
    `against ${against.commit ?? '?'} (${against.root}), same run and database: before → now`,
    `  RSS after start: ${against.rss.afterStartMB} → ${r.rss.afterStartMB} MB`,
  ];
  for (const b of against.scenarios) {
    const n = r.scenarios.find((s) => s.name === b.name);
    if (!n?.median || !b.median) {
      lines.push(`  ${b.name}: ${b.error ?? n?.error ?? 'not measured'}`);
      continue;
    }
    const change = (x: number | null, y: number | null) =>
      x && y !== null ? ` (${y >= x ? '+' : ''}${(((y - x) / x) * 100).toFixed(0)} %)` : '';
    lines.push(
      `  ${b.name}: app CPU ${f(b.median.appCpuUs)} → ${f(n.median.appCpuUs)} µs/req${change(b.median.appCpuUs, n.median.appCpuUs)}` +
        ` (×hello ${f(b.cpuRatioToHello, 2)} → ${f(n.cpuRatioToHello, 2)}), database ${f(b.median.dbCpuUs)} → ${f(n.median.dbCpuUs)} µs/req;` +
        ` ${f(b.median.rps)} → ${f(n.median.rps)} req/s (×hello ${f(b.ratioToHello, 3)} → ${f(n.ratioToHello, 3)});` +
        ` p99 ${f(b.median.p99)} → ${f(n.median.p99)} ms; RSS end ${f(b.rssEndMB)} → ${f(n.rssEndMB)} MB`,
    );
  }
  const bb = against.burst;
  const nb = r.burst;
  if (bb && nb && !('error' in bb) && !('error' in nb)) {
    lines.push(
      `  burst: answered p99 ${bb.answered.p99} → ${nb.answered.p99} ms, ${bb.refused503} → ${nb.refused503} × 503, ` +
        `${bb.completed} → ${nb.completed} of ${nb.flows} flows reached /protected`,
    );
  }
  return lines;
}

function print(r: Results): void {
  const out: string[] = [];
  out.push('');
  out.push(
    `Node ${r.machine.node}, ${r.machine.cores} cores, database ${r.database.kind}; ${r.options.runs} × ${r.options.duration} s after ${r.options.warmup} s warm-up, medians`,
  );
  out.push('');
  out.push(table(r));
  out.push('');
  out.push(`password hash (scrypt N=2^17), timed in the idle app server; ceiling = ${r.machine.cores} cores ÷ one hash:`);
  for (const s of r.scenarios.filter((x) => x.ratioToHashCeiling !== undefined && x.hash)) {
    const got = s.flow ? `${s.flow.flowsPerSecond} whole flows/s` : `${s.median?.rps} logins/s`;
    out.push(
      `  ${s.name}: one hash ${s.hash!.medianMs} ms → ceiling ${s.hash!.ceilingPerSecond}/s; ${got} = ${((s.ratioToHashCeiling ?? 0) * 100).toFixed(1)} % of it`,
    );
  }
  const b = r.burst;
  if (b && 'error' in b) out.push(`burst: failed: ${b.error}`);
  else if (b) {
    out.push(
      `burst of ${b.flows} flows at once: ${b.completed} reached /protected in ${b.seconds} s (${b.flowsPerSecond} flows/s); ` +
        `${b.requests} requests, ${b.refused503} × 503 (each retried once after Retry-After)`,
    );
    out.push(
      `  answered requests (${b.answered.count}): p50 ${b.answered.p50} ms, p99 ${b.answered.p99} ms, max ${b.answered.max} ms; ` +
        `all requests: p50 ${b.all.p50} ms, p99 ${b.all.p99} ms; whole flows: p50 ${b.flowMs.p50} ms, p99 ${b.flowMs.p99} ms` +
        (Object.keys(b.failedSteps).length
          ? `; stopped: ${Object.entries(b.failedSteps)
              .map(([k, v]) => `${k}×${v}`)
              .join(' ')}`
          : ''),
    );
    out.push(
      `  by step: ${Object.entries(b.steps)
        .map(([name, x]) => `${name} ${x.answered} answered (p50 ${x.p50} ms, p99 ${x.p99} ms), ${x.refused503} × 503`)
        .join('; ')}`,
    );
  }
  const w = r.workers;
  if (w && 'error' in w) out.push(`workers: failed: ${w.error}`);
  else if (w) {
    out.push(`loggedIn on dist/server/index.js at ${w[0]?.connections} connections, same run and database:`);
    for (const x of w) {
      out.push(
        `  WEB_CONCURRENCY=${x.workers}: ${(x.median.rps ?? 0).toFixed(0)} req/s, p50 ${x.median.p50} ms, p99 ${x.median.p99} ms, non2xx ${x.median.non2xx}, errors ${x.median.errors}`,
      );
    }
  }
  out.push(
    `first load: JS+CSS ${(r.firstLoad.gzip / 1000).toFixed(1)} kB gzipped (${r.firstLoad.files.map((f) => `${f.url} ${(f.gzip / 1000).toFixed(1)} kB`).join(', ')})`,
  );
  out.push(
    `start → listening, database up: dist/server/index.js ${r.startup.realServerMedianMs ?? '–'} ms, bench entry ${r.startup.benchEntryMedianMs} ms (median of ${r.options.startupRuns})`,
  );
  out.push(`RSS after start (its password hash done): app ${r.rss.afterStartMB} MB, hello ${r.rss.helloIdleMB} MB`);
  if (r.profile) out.push(`CPU profile of ${r.profile.scenario}: ${r.profile.file ?? 'not written'}`);
  if (r.against) out.push('', ...againstLines(r, r.against));
  out.push('');
  out.push(targetLines(r.targets ?? []));
  out.push('');
  if (r.baseline) {
    out.push(...('error' in r.baseline ? [`baseline ${r.baseline.file}: ${r.baseline.error}`] : r.baseline.lines));
    out.push('');
  }
  if (args['save-baseline']) out.push(`baseline written: ${path.relative(process.cwd(), args.baseline)}`);
  out.push(`written: ${path.relative(process.cwd(), args.out)} (${r.elapsedSeconds} s)`);
  console.log(out.join('\n'));
}

void main();
