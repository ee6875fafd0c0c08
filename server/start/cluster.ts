// WEB_CONCURRENCY > 1: HTTP workers behind one port (node:cluster; the primary hands connections
// out round-robin on Linux). Workers keep nothing of their own: sessions, limits, push requests
// and callbacks live in MongoDB, so any worker (or machine) can answer any request. The primary
// serves nothing: it starts the workers, starts another when one dies (sooner the first time,
// later when they keep dying), and on stop asks each to finish its requests and waits.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../platform/logger';

/** What a worker needs to serve, sent by the primary over IPC (secrets stay out of the environment). */
export interface WorkerSetup {
  type: 'setup';
  databaseUri: string;
  dbName?: string;
  sessionSecret: string;
  sandboxKey: string;
  sandboxAuthToken: string;
}

export interface ClusterOptions {
  size: number;
  setup: Omit<WorkerSetup, 'type'>;
  logger: Logger;
}

export interface RunningCluster {
  /** The port, once every worker of the first start listens; rejects when one dies before that. */
  listening: Promise<number>;
  /** SIGTERM to every worker (each answers its requests in flight, then exits); SIGKILL after `timeoutMs`. */
  stop(timeoutMs: number): Promise<void>;
}

const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 30_000;
const DEATH_MEMORY_MS = 60_000;

/** Deaths within the last minute double the pause before the next start: 0.5 s, 1 s, 2 s … 30 s. */
export function restartDelay(recentDeaths: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** Math.max(0, recentDeaths - 1));
}

const describeExit = (code: number | null, signal: string | null) => (signal ? `was killed by ${signal}` : `exited with code ${code}`);

export function startCluster(o: ClusterOptions): RunningCluster {
  let stopping = false;
  let started = false;
  let deaths: number[] = [];

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.send({ type: 'setup', ...o.setup } satisfies WorkerSetup);
    return worker;
  };

  const listening = new Promise<number>((resolve, reject) => {
    let ready = 0;
    cluster.on('listening', (worker, address) => {
      if (started) {
        o.logger.info({ worker: worker.process.pid }, `worker ${worker.process.pid} listening`);
        return;
      }
      if (++ready === o.size) {
        started = true;
        resolve(address.port);
      }
    });
    cluster.on('exit', (worker, code, signal) => {
      if (stopping) return;
      const how = describeExit(code, signal);
      if (!started) {
        // A worker that cannot start (port taken, database gone) would fail again: stop here.
        reject(new Error(`worker ${worker.process.pid} ${how} before it was listening (its own line above says why)`));
        return;
      }
      const now = Date.now();
      deaths = [...deaths.filter((t) => now - t < DEATH_MEMORY_MS), now];
      const delay = restartDelay(deaths.length);
      o.logger.warn({ worker: worker.process.pid }, `worker ${worker.process.pid} ${how}: starting another in ${delay / 1000} s`);
      setTimeout(() => {
        if (!stopping) fork();
      }, delay).unref();
    });
  });
  for (let i = 0; i < o.size; i++) fork();

  const stop = async (timeoutMs: number) => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    const exited = workers.map((w) => new Promise<void>((resolve) => w.process.once('exit', () => resolve())));
    for (const w of workers) w.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const w of workers) if (!w.isDead()) w.process.kill('SIGKILL');
    }, timeoutMs);
    await Promise.all(exited);
    clearTimeout(timer);
  };
  return { listening, stop };
}
