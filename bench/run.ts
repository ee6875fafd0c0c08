// npm run bench: the app (sandbox mode, test database resolver) and a bare Express "hello" run as
// child processes; this process drives them with autocannon, reads the app's database command
// counts and RSS over IPC, and writes bench/results.json plus a table. See bench/README.md.
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { build } from 'esbuild';
import { MongoClient } from 'mongodb';
import { cacheHeaders, firstLoadWeight, navigationLoads } from './lib/checks.mjs';
import { Child, timeRealServerStart } from './lib/children.mjs';
import { MB, median, percentile, runFigures, summarize, table, targetLines } from './lib/report.mjs';
import { SCENARIOS } from './lib/scenarios.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
// What runs is a snapshot of dist/ (outside the tree, so linters never see the bundles): a
// rebuild during the run changes nothing. The children find node_modules through NODE_PATH.
const BUILD = path.join(tmpdir(), `asq-bench-build-${process.pid}`);
process.env.NODE_PATH = path.join(ROOT, 'node_modules');
const PUBLIC_DIR = path.join(BUILD, 'public');
const APP_SERVER = path.join(BUILD, 'app-server.js');
const HELLO_SERVER = path.join(ROOT, 'bench', 'hello-server.mjs');
const REAL_SERVER = path.join(BUILD, 'server', 'index.js');
const SESSIONS = 'sessions';

const env = (name, fallback) => process.env[`BENCH_${name}`] ?? fallback;
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: env('DURATION', '5') },
    warmup: { type: 'string', default: env('WARMUP', '5') },
    runs: { type: 'string', default: env('RUNS', '3') },
    connections: { type: 'string', default: env('CONNECTIONS', '50') },
    'login-connections': { type: 'string', default: env('LOGIN_CONNECTIONS', '4') },
    'flow-connections': { type: 'string', default: env('FLOW_CONNECTIONS', '4') },
    'flow-users': { type: 'string', default: env('FLOW_USERS', '24') },
    'startup-runs': { type: 'string', default: env('STARTUP_RUNS', '3') },
    scenarios: { type: 'string', default: env('SCENARIOS', Object.keys(SCENARIOS).join(',')) },
    'log-level': { type: 'string', default: env('LOG_LEVEL', 'info') },
    profile: { type: 'boolean', default: env('PROFILE', '') !== '' },
    'profile-scenario': { type: 'string', default: env('PROFILE_SCENARIO', '') },
    'no-browser': { type: 'boolean', default: false },
    out: { type: 'string', default: env('OUT', path.join(ROOT, 'bench', 'results.json')) },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(
    'npm run bench -- [--duration s] [--warmup s] [--runs n] [--connections n] [--login-connections n] [--flow-connections n]\n' +
      '  [--flow-users n] [--scenarios a,b] [--log-level info|warn|silent] [--profile] [--profile-scenario name] [--no-browser] [--out file]\n' +
      `scenarios: ${Object.keys(SCENARIOS).join(', ')}`,
  );
  process.exit(0);
}
const opts = {
  duration: Number(args.duration),
  warmup: Number(args.warmup),
  runs: Number(args.runs),
  connections: Number(args.connections),
  loginConnections: Number(args['login-connections']),
  flowConnections: Number(args['flow-connections']),
  flowUsers: Number(args['flow-users']),
  startupRuns: Number(args['startup-runs']),
  scenarios: args.scenarios
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
  logLevel: args['log-level'],
};
for (const name of opts.scenarios)
  if (!SCENARIOS[name]) throw new Error(`unknown scenario ${name} (known: ${Object.keys(SCENARIOS).join(', ')})`);

const t0 = Date.now();
const say = (...a) => console.error(`[bench +${Math.round((Date.now() - t0) / 1000)}s]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes) => Math.round((bytes / MB) * 10) / 10;

/** The URI with its database path replaced (keeps query options; works for multi-host URIs). */
function withDatabase(uri, dbName) {
  const m = uri.match(/^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?(\?.*)?$/);
  if (!m) throw new Error('cannot place a database name in the database URI');
  return `${m[1]}/${dbName}${m[3] ?? ''}`;
}

async function snapshotBuild() {
  const dist = path.join(ROOT, 'dist');
  if (!existsSync(path.join(dist, 'public', 'index.html')) || !existsSync(path.join(dist, 'server', 'index.js'))) {
    throw new Error('dist/ is not built: run `npm run bench` (it builds first) or `npm run build`');
  }
  await rm(BUILD, { recursive: true, force: true });
  await cp(path.join(dist, 'public'), PUBLIC_DIR, { recursive: true });
  await cp(path.join(dist, 'server'), path.join(BUILD, 'server'), { recursive: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: ['bench/app-server.ts'],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    outfile: APP_SERVER,
    sourcemap: true,
    logLevel: 'warning',
  });
}

/**
 * Stats once the requests cut off at the end of a run have finished: none in flight, and the
 * orphans (client gone, handler maybe still working) and the command counts still for `quietMs`.
 */
async function drained(child, quietMs = 300, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let stats = await child.stats();
  if (stats.inFlight === undefined) return stats; // the hello server keeps no such count
  const mark = (x) => `${x.inFlight}|${x.orphans}|${x.counts.reads}|${x.counts.writes}`;
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

/** Warm-up, then `runs` measured runs; the server's command counters are reset around each. */
async function measure(child, baseUrl, request, connections, { extra, quietMs } = {}) {
  const requests = request.requests ?? [request];
  const run = (duration) => autocannon({ url: baseUrl, connections, duration, timeout: 10, requests });
  if (opts.warmup > 0) {
    await run(opts.warmup);
    await drained(child, quietMs);
    extra?.();
  }
  await child.stats({ reset: true }); // RSS peak and counts from here on
  const runs = [];
  for (let i = 0; i < opts.runs; i++) {
    await child.stats({ reset: true });
    const result = await run(opts.duration);
    const after = await drained(child, quietMs);
    runs.push({
      ...runFigures(result, after.counts, SESSIONS),
      loadAverage: loadavg()[0],
      rssEnd: after.rss,
      heapUsed: after.heapUsed,
      rssPeak: after.rssPeak,
      ...(extra ? { extra: extra() } : {}),
    });
  }
  const heapUsed = runs.at(-1).heapUsed;
  return {
    runs,
    median: summarize(runs),
    rssEndMB: mb(runs.at(-1).rssEnd),
    ...(heapUsed ? { heapUsedEndMB: mb(heapUsed) } : {}),
    rssPeakMB: mb(Math.max(...runs.map((r) => r.rssPeak))),
  };
}

/** One production password hash, timed (median of `count`) in the idle app server: the login ceiling is cores ÷ this. */
async function timeHash(app, count = 3) {
  const answer = app.next('hash', 60_000);
  app.proc.send({ type: 'hash', count });
  const { ms } = await answer;
  const medianMs = median(ms);
  return {
    ms: ms.map(Math.round),
    medianMs: Math.round(medianMs),
    ceilingPerSecond: Math.round((availableParallelism() / (medianMs / 1000)) * 100) / 100,
  };
}

async function runScenario(name, app, baseUrl, helloRps) {
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
  const measured = await measure(app, baseUrl, prepared.request, connections, { extra: prepared.extra, quietMs });
  const out = {
    name,
    title: scenario.title,
    connections,
    readOnly: Boolean(scenario.readOnly),
    hashBound: Boolean(scenario.hashBound),
    ...measured,
  };
  out.ratioToHello = Math.round((measured.median.rps / helloRps) * 1000) / 1000;
  // The session was made in prepare(): its age bounds the touches touchAfter allows.
  out.sessionAgeSeconds = Math.round((Date.now() - started) / 1000);
  if (hash) out.hash = hash;
  if (prepared.extra) {
    const flowsPerSecond = median(measured.runs.map((r) => r.extra.flows / opts.duration));
    const times = measured.runs.flatMap((r) => r.extra.flowTimesMs);
    const failedSteps = {};
    for (const r of measured.runs) for (const [k, v] of Object.entries(r.extra.failedSteps)) failedSteps[k] = (failedSteps[k] ?? 0) + v;
    for (const r of measured.runs) delete r.extra.flowTimesMs;
    out.flow = {
      flowsPerSecond: Math.round(flowsPerSecond * 100) / 100,
      p50Ms: percentile(times, 50),
      p99Ms: percentile(times, 99),
      failedSteps: Object.keys(failedSteps).length ? failedSteps : null,
    };
  }
  return out;
}

async function startupTimes(dbUri) {
  const real = [];
  const bench = [];
  let error;
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
      error = `dist/server/index.js: ${err.message}`;
      break;
    }
  }
  for (let i = 0; i < opts.startupRuns; i++) {
    const child = new Child('app (start-up)', APP_SERVER, {
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
  return {
    realServerMs: real.map(Math.round),
    realServerMedianMs: real.length ? Math.round(median(real)) : null,
    benchEntryMs: bench.map((b) => Math.round(b.ms)),
    benchEntryMedianMs: Math.round(median(bench.map((b) => b.ms))),
    benchEntryPhases: bench.at(-1).timings,
    ...(error ? { error } : {}),
  };
}

async function profileScenario(name, dbUri, helloRps) {
  const dir = path.join(ROOT, 'bench', 'profiles');
  await mkdir(dir, { recursive: true });
  const before = new Set(await readdir(dir));
  const logFile = path.join(tmpdir(), `asq-bench-profile-${process.pid}.log`);
  const child = new Child('app (profiled)', APP_SERVER, {
    execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    env: { BENCH_MONGODB_URI: dbUri, BENCH_DB_NAME: 'bench_profile', BENCH_LOG_LEVEL: opts.logLevel, BENCH_PUBLIC_DIR: PUBLIC_DIR },
    logFile,
  });
  const info = await child.listening();
  const saved = { runs: opts.runs, warmup: opts.warmup };
  Object.assign(opts, { runs: 1, warmup: Math.min(opts.warmup, 2) });
  try {
    await runScenario(name, child, `http://127.0.0.1:${info.port}`, helloRps);
  } finally {
    Object.assign(opts, saved);
    await child.stop();
    await rm(logFile, { force: true });
  }
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
  return files.length ? path.relative(ROOT, path.join(dir, files[0])) : null;
}

function targets(results) {
  const t = [];
  const add = (name, value, limit, pass) => t.push({ name, value, limit, pass });
  const byName = Object.fromEntries(results.scenarios.filter((s) => !s.error).map((s) => [s.name, s]));
  for (const s of Object.values(byName).filter((x) => x.readOnly)) {
    const m = s.median;
    // touchAfter (60 s) lets an unchanged session be touched once a minute; every request in
    // flight at that moment read the old lastModified, so a burst of up to `connections` writes.
    const allowed = s.connections * Math.floor(s.sessionAgeSeconds / 60);
    add(
      `${s.name}: session writes`,
      `${m.sessionWrites} in ${s.runs.reduce((n, r) => n + r.sent, 0)} requests (session ${s.sessionAgeSeconds} s old at the end${allowed ? `: touch bursts allow ${allowed}` : ''})`,
      '0, but for touchAfter',
      m.sessionWrites <= allowed,
    );
    add(`${s.name}: database reads per request`, m.readsPerRequest, '≤ 1', m.readsPerRequest <= 1.001);
  }
  const li = byName.loggedIn;
  if (li) {
    add(
      'loggedIn: share of the bare-Express ceiling',
      `${(li.ratioToHello * 100).toFixed(1)} % (${li.median.rps.toFixed(0)} / ${results.hello.median.rps.toFixed(0)} req/s)`,
      '≥ 40 %',
      li.ratioToHello >= 0.4,
    );
    add(
      `loggedIn: p99 at ${li.connections} connections`,
      `${li.median.p99} ms (bare Express hello at ${results.hello.connections}: ${results.hello.median.p99} ms)`,
      '< 20 ms',
      li.median.p99 < 20,
    );
  }
  const login = byName.login;
  if (login) {
    const ratio = login.ratioToHashCeiling;
    add(
      'login: share of the hash-bound ceiling',
      `${(ratio * 100).toFixed(1)} % (${login.median.rps.toFixed(2)} / ${login.hash.ceilingPerSecond.toFixed(2)} per s; one hash ${login.hash.medianMs} ms)`,
      '≥ 80 %',
      ratio >= 0.8,
    );
    const throttled = login.median.statusCodes['429'] ?? 0;
    add('login: no 429 from the attempt limits', `${throttled} × 429`, '(reported)', throttled === 0);
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
    nav.skipped
      ? `not checked: ${nav.skipped}`
      : `${nav.furtherScriptsOrPages.length} further script/stylesheet/page loads over ${nav.visited.filter((v) => v.reached).length} page changes`,
    '0',
    nav.skipped ? null : nav.furtherScriptsOrPages.length === 0,
  );
  const assets = results.cacheHeaders.filter((h) => h.url !== '/');
  const longLived = (cc) => /immutable/.test(cc ?? '') && Number((cc ?? '').match(/max-age=(\d+)/)?.[1] ?? 0) >= 30 * 86400;
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
  add('server RSS idle', `${results.rss.idleMB} MB`, '≤ 120 MB', results.rss.idleMB <= 120);
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

async function main() {
  const started = Date.now();
  await snapshotBuild();
  const cores = availableParallelism();
  const load = loadavg()[0];
  if (load > cores / 2)
    say(
      `warning: load average ${load.toFixed(1)} on ${cores} cores before starting: other work will skew the figures (ratios to hello less so)`,
    );
  const logFile = path.join(tmpdir(), `asq-bench-app-${process.pid}.log`);
  const hello = new Child('hello', HELLO_SERVER);
  const app = new Child('app', APP_SERVER, { env: { BENCH_LOG_LEVEL: opts.logLevel, BENCH_PUBLIC_DIR: PUBLIC_DIR }, logFile });
  const stopAll = () => Promise.all([hello.stop(), app.stop()]);
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const [helloInfo, appInfo] = await Promise.all([hello.listening(), app.listening()]);
    const helloUrl = `http://127.0.0.1:${helloInfo.port}`;
    const baseUrl = `http://127.0.0.1:${appInfo.port}`;
    say(`app on ${baseUrl} (${appInfo.dbKind}${appInfo.isFerretDB ? ', FerretDB' : ''}), log in ${logFile}; hello on ${helloUrl}`);

    await sleep(1000);
    const idle = await app.stats({ reset: true });
    const helloIdle = await hello.stats();

    say('start-up times (database already up)');
    const startup = await startupTimes(appInfo.dbUri);

    const firstLoad = await firstLoadWeight(PUBLIC_DIR);
    const headers = await cacheHeaders(
      baseUrl,
      firstLoad.files.map((f) => f.url),
    );
    say('page changes in Chromium');
    const navigation = args['no-browser']
      ? { skipped: '--no-browser' }
      : await navigationLoads(baseUrl).catch((err) => ({ skipped: `failed: ${err.message}` }));

    say(`hello: ${opts.warmup} s warm-up, ${opts.runs} × ${opts.duration} s at ${opts.connections} connections`);
    const helloMeasured = await measure(hello, helloUrl, { method: 'GET', path: '/' }, opts.connections);
    const helloResult = { connections: opts.connections, idleRssMB: mb(helloIdle.rss), ...helloMeasured };

    const scenarios = [];
    for (const name of opts.scenarios) {
      try {
        scenarios.push(await runScenario(name, app, baseUrl, helloResult.median.rps));
      } catch (err) {
        say(`${name} failed: ${err.message}`);
        scenarios.push({ name, title: SCENARIOS[name].title, connections: SCENARIOS[name].connections(opts), error: err.message });
      }
    }

    const results = {
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
      rss: { idleMB: mb(idle.rss), helloIdleMB: mb(helloIdle.rss) },
      startup,
      firstLoad,
      cacheHeaders: headers,
      navigation,
      hello: helloResult,
      scenarios,
    };
    for (const s of scenarios.filter((x) => x.hashBound && !x.error)) {
      const perSecond = s.flow ? s.flow.flowsPerSecond : s.median.rps;
      s.ratioToHashCeiling = Math.round((perSecond / s.hash.ceilingPerSecond) * 1000) / 1000;
    }

    const profileName = args['profile-scenario'] || (args.profile ? worstScenario(scenarios) : '');
    if (profileName) {
      say(`profiling ${profileName} with --cpu-prof`);
      results.profile = { scenario: profileName, file: await profileScenario(profileName, appInfo.dbUri, helloResult.median.rps) };
    }

    results.targets = targets(results);
    results.elapsedSeconds = Math.round((Date.now() - started) / 1000);
    await writeFile(args.out, JSON.stringify(results, null, 2) + '\n');
    print(results);
    await rm(logFile, { force: true });
  } catch (err) {
    say(`failed: ${err.stack ?? err.message}`);
    const size = await stat(logFile)
      .then((s) => s.size)
      .catch(() => 0);
    if (size) say(`the app's log is in ${logFile}`);
    process.exitCode = 1;
  } finally {
    await stopAll();
    await rm(BUILD, { recursive: true, force: true });
  }
}

/** The scenario furthest below its own ceiling: the hash for login and the flow, bare Express for the rest. */
function worstScenario(scenarios) {
  const ok = scenarios.filter((s) => !s.error);
  const share = (s) => (s.hashBound ? s.ratioToHashCeiling : s.ratioToHello);
  return ok.sort((a, b) => share(a) - share(b))[0]?.name ?? '';
}

function print(r) {
  const out = [];
  out.push('');
  out.push(
    `Node ${r.machine.node}, ${r.machine.cores} cores, database ${r.database.kind}; ${r.options.runs} × ${r.options.duration} s after ${r.options.warmup} s warm-up, medians`,
  );
  out.push('');
  out.push(table(r));
  out.push('');
  out.push(`password hash (scrypt N=2^17), timed in the idle app server; ceiling = ${r.machine.cores} cores ÷ one hash:`);
  for (const s of r.scenarios.filter((x) => x.ratioToHashCeiling !== undefined)) {
    const got = s.flow ? `${s.flow.flowsPerSecond} whole flows/s` : `${s.median.rps} logins/s`;
    out.push(
      `  ${s.name}: one hash ${s.hash.medianMs} ms → ceiling ${s.hash.ceilingPerSecond}/s; ${got} = ${(s.ratioToHashCeiling * 100).toFixed(1)} % of it`,
    );
  }
  out.push(
    `first load: JS+CSS ${(r.firstLoad.gzip / 1000).toFixed(1)} kB gzipped (${r.firstLoad.files.map((f) => `${f.url} ${(f.gzip / 1000).toFixed(1)} kB`).join(', ')})`,
  );
  out.push(
    `start → listening, database up: dist/server/index.js ${r.startup.realServerMedianMs ?? '–'} ms, bench entry ${r.startup.benchEntryMedianMs} ms (median of ${r.options.startupRuns})`,
  );
  out.push(`RSS idle: app ${r.rss.idleMB} MB, hello ${r.rss.helloIdleMB} MB`);
  if (r.profile) out.push(`CPU profile of ${r.profile.scenario}: ${r.profile.file ?? 'not written'}`);
  out.push('');
  out.push(targetLines(r.targets));
  out.push('');
  out.push(`written: ${path.relative(process.cwd(), args.out)} (${r.elapsedSeconds} s)`);
  console.log(out.join('\n'));
}

await main();
