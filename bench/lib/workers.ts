// The real server (dist/server/index.js) with WEB_CONCURRENCY=1 and then 2, in the same run and
// on the same database: POST /api/loggedIn at the same connections, to show what a second
// worker buys on this machine.
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { ROOT } from './children';
import { summarize, runFigures, type Summary } from './report';
import { SCENARIOS, type BenchOptions } from './scenarios';
import { freePort } from '../../test/support/free-port';
import { NODE_FLAGS } from '../../server/start/node-flags';

export interface WorkersResult {
  workers: number;
  connections: number;
  median: Summary;
}

/** The URI with its database path replaced (keeps query options; works for multi-host URIs). */
export function withDatabase(uri: string, dbName: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!m) throw new Error('cannot place a database name in the database URI');
  return `${m[1]}/${dbName}${m[3] ?? ''}`;
}

/** Starts the real server with `workers` workers; resolves once it listens, with how to stop it. */
async function startRealServer(script: string, env: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(process.execPath, [...NODE_FLAGS, script], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'development', HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line within 60 s: ${output.slice(-500)}`)), 60_000);
    const onData = (chunk: Buffer) => {
      // Kept short: the request log goes on for the whole run.
      output = (output + chunk.toString()).slice(-4000);
      if (/listening on http/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited before listening: ${output.slice(-500)}`));
    });
  });
  return {
    url,
    stop: async () => {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function compareWorkers(
  script: string,
  dbUri: string,
  opts: BenchOptions,
  say: (...a: unknown[]) => void,
): Promise<WorkersResult[]> {
  const out: WorkersResult[] = [];
  for (const workers of [1, 2]) {
    const server = await startRealServer(script, {
      WEB_CONCURRENCY: String(workers),
      MONGODB_URI: withDatabase(dbUri, 'bench_workers'),
      SESSION_SECRET: 'bench-session-secret-0123456789abcdef-0123456789',
      AUTHY_SANDBOX_KEY: 'bench-sandbox-key-0123456789',
      LOG_LEVEL: 'info',
    });
    try {
      say(`workers: WEB_CONCURRENCY=${workers}, loggedIn, ${opts.runs} × ${opts.duration} s at ${opts.connections} connections`);
      const { request } = await SCENARIOS.loggedIn.prepare(server.url, opts);
      const requests = 'requests' in request ? request.requests : [request];
      const run = (duration: number) => autocannon({ url: server.url, connections: opts.connections, duration, timeout: 10, requests });
      if (opts.warmup > 0) await run(opts.warmup);
      const runs = [];
      for (let i = 0; i < opts.runs; i++) runs.push(runFigures(await run(opts.duration), undefined, 'sessions'));
      out.push({ workers, connections: opts.connections, median: summarize(runs) });
    } finally {
      await server.stop();
    }
  }
  return out;
}
