// The app under load: wired as server/index.ts wires it (sandbox mode, sessions in the database,
// the expiry sweeper), on the test database resolver, its database commands counted.
// Run by bench/run.ts as a forked child (bundled into the bench's temporary folder); it talks to its
// parent over IPC only, so the app gets no extra routes:
//   → {type:'listening', port, dbUri, dbKind, isFerretDB, dbPid, timings}
//   ← {type:'stats', reset?}  → {type:'stats', counts, inFlight, orphans, rss, rssPeak, heapUsed}
//   ← {type:'hash', count}    → {type:'hash', ms: [...]}: one production password hash each, timed
//   ← {type:'stop'}           → closes, drops its database, exits (so --cpu-prof writes)
// Environment: BENCH_MONGODB_URI (a running server; else one is resolved like the tests do),
// BENCH_DB_KIND and BENCH_DB_PID (that server's kind, and its process id for its CPU time; an
// embedded one's are known), BENCH_DB_NAME, BENCH_LOG_LEVEL (default info: a line per request, as the real server logs),
// BENCH_PUBLIC_DIR (the built SPA; default dist/public).
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { hashPassword } from '../server/auth/password';
import { connectDatabase } from '../server/db/connect';
import { resolveDatabase, type StartedDatabase } from '../server/embedded-db/resolve';
import { createLogger } from '../server/platform/logger';
import { loadConfig } from '../server/platform/config';
import { PUBLIC_DIR } from '../server/platform/paths';
import { startServer } from '../server/start/start-server';
import { countCommands } from '../test/support/command-counts';

/** bench/run.ts serves a snapshot of dist/public, so a rebuild during the run cannot pull it away. */
const publicDir = process.env.BENCH_PUBLIC_DIR ?? PUBLIC_DIR;

/** The sweeper's deletes would blur the per-request counts: one pass at start, then hourly. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
const RSS_SAMPLE_MS = 100;
/**
 * Every request of the bench comes from one address: the per-address and global budgets
 * (registrations, sends) are raised so the run measures the app, not its limits. The checks
 * themselves still run (one insert and one count each), as in production.
 */
const ONE_ADDRESS_LIMITS = {
  LIMIT_REGISTRATIONS_PER_IP: '1000000/1h',
  LIMIT_SENDS_PER_IP: '1000000/1h',
  LIMIT_NUMBERS_PER_IP: '1000000/1h',
  LIMIT_SENDS_GLOBAL: '1000000/1h',
};

type ParentMessage = { type: 'stats'; reset?: boolean } | { type: 'hash'; count?: number } | { type: 'stop' };

/** Times `count` password hashes one after another, with the parameters the app uses by default. */
async function timeHashes(count: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await hashPassword('correct horse battery staple');
    ms.push(performance.now() - start);
  }
  return ms;
}

function send(message: object): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('bench/app-server: run me through npm run bench (I need an IPC channel)');
  const loaded = performance.now();
  const logger = createLogger(process.env.BENCH_LOG_LEVEL ?? 'info');

  const given = process.env.BENCH_MONGODB_URI;
  const givenKind = (process.env.BENCH_DB_KIND ?? 'external') as StartedDatabase['kind'];
  const database: StartedDatabase = given
    ? { kind: givenKind, uri: given, stop: async () => {} }
    : await resolveDatabase({ uri: undefined, dataDir: os.tmpdir(), ephemeral: true, logger });
  const dbReady = performance.now();
  const dbName = process.env.BENCH_DB_NAME ?? `bench_${randomBytes(4).toString('hex')}`;
  // Counted inside the driver, not through command monitoring, whose events (and second decoding
  // of every reply) would add to the app's CPU figures.
  const { connection, isFerretDB } = await connectDatabase(database.uri, { dbName });
  const commands = countCommands(connection.getClient(), { keep: 0, via: 'driver' });
  const connected = performance.now();

  const apiKey = randomBytes(24).toString('hex');
  const sessionSecret = randomBytes(32).toString('hex');
  // Requests being answered, and `orphans`: those whose client left first. A handler may work on
  // after that (a hash, a session save) and end the response later, or never end it (a static
  // file stream just stops), so the bench waits for orphans to stop changing, not for zero.
  // Observed before the app: express-session wraps res.end later, so its wrapper runs first (it
  // saves the session) and this one counts the request done after that.
  let inFlight = 0;
  let orphans = 0;
  const observe = (_req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight++;
    let state: 'open' | 'orphan' | 'done' = 'open';
    const end = res.end.bind(res);
    res.end = function (...args: unknown[]) {
      if (state === 'open') inFlight--;
      if (state === 'orphan') orphans--;
      state = 'done';
      return (end as (...a: unknown[]) => http.ServerResponse)(...args);
    } as typeof res.end;
    res.once('close', () => {
      if (state !== 'open') return;
      state = 'orphan';
      inFlight--;
      orphans++;
    });
  };

  // Wired as server/index.ts does it: sandbox mode, the app's 2FA client calling this server.
  const running = await startServer({
    config: ({ url }) => ({ ...loadConfig(ONE_ADDRESS_LIMITS), publicUrl: url }),
    port: 0,
    host: '127.0.0.1',
    connection,
    isFerretDB,
    logger,
    sessionSecret,
    sandboxKey: apiKey,
    sandboxAuthToken: randomBytes(24).toString('hex'),
    publicDir,
    sweepIntervalMs: SWEEP_INTERVAL_MS,
    observe,
  });
  const listening = performance.now();

  let rssPeak = process.memoryUsage.rss();
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), RSS_SAMPLE_MS);
  sampler.unref();

  const ms = (t: number) => Math.round(t);
  send({
    type: 'listening',
    port: running.port,
    dbUri: database.uri,
    dbKind: database.kind,
    dbName,
    isFerretDB,
    dbPid: database.pid ?? (Number(process.env.BENCH_DB_PID) || undefined),
    timings: { loadedMs: ms(loaded), databaseMs: ms(dbReady), connectedMs: ms(connected), listeningMs: ms(listening) },
  });

  const stop = async () => {
    clearInterval(sampler);
    await running.close(0);
    commands.stop();
    await connection.dropDatabase().catch(() => {});
    await connection.close().catch(() => {});
    await database.stop().catch(() => {});
    process.exit(0);
  };

  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stats') {
      const rss = process.memoryUsage.rss();
      send({
        type: 'stats',
        counts: commands.counts(),
        inFlight,
        orphans,
        rss,
        rssPeak: Math.max(rssPeak, rss),
        heapUsed: process.memoryUsage().heapUsed,
      });
      if (message.reset) {
        commands.reset();
        rssPeak = rss;
      }
    } else if (message.type === 'hash') {
      void timeHashes(message.count ?? 3).then((ms) => send({ type: 'hash', ms }));
    } else if (message.type === 'stop') {
      void stop();
    }
  });
  process.on('disconnect', () => void stop()); // the parent died: do not leave the database running
}

main().catch((err: Error) => {
  console.error(`bench/app-server: ${err.stack ?? err.message}`);
  process.exit(1);
});
