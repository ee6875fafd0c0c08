// The processes under load, forked with an IPC channel: the app server, the bare Express ceiling,
// and the real server (dist/server/index.js) spawned only to time its start.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { CommandCounts } from '../../test/support/command-counts';
import { NODE_FLAGS } from '../../server/start/node-flags';

const START_TIMEOUT_MS = 120_000;
/** The repository (the bench runs from a bundle elsewhere; scripts/bench.mjs says where the repo is). */
export const ROOT = process.env.BENCH_ROOT ?? process.cwd();

/** The children's messages (bench/app-server.ts; the hello server sends `port` and `rss` only). */
export interface ListeningMessage {
  type: 'listening';
  port: number;
  dbUri?: string;
  dbKind?: string;
  dbName?: string;
  isFerretDB?: boolean;
  /** The database server's process id, when known (an embedded one, or BENCH_DB_PID). */
  dbPid?: number;
  timings?: Record<string, number>;
}
export interface StatsMessage {
  type: 'stats';
  rss: number;
  rssPeak: number;
  counts?: CommandCounts;
  inFlight?: number;
  orphans?: number;
  heapUsed?: number;
}
export interface HashMessage {
  type: 'hash';
  ms: number[];
}
type ChildMessage = ListeningMessage | StatsMessage | HashMessage;
type MessageOf<T extends ChildMessage['type']> = Extract<ChildMessage, { type: T }>;

interface Waiter {
  type: ChildMessage['type'];
  resolve(message: ChildMessage): void;
  reject(err: Error): void;
}

export interface ChildOptions {
  env?: Record<string, string>;
  execArgv?: string[];
  logFile?: string;
}

/** A forked child speaking the bench's IPC protocol (see bench/app-server.ts). */
export class Child {
  readonly proc: ChildProcess;
  readonly spawnedAt: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: Waiter[] = [];

  constructor(
    readonly name: string,
    script: string,
    { env = {}, execArgv = [], logFile }: ChildOptions = {},
  ) {
    const fd = logFile ? openSync(logFile, 'a') : 'ignore';
    this.spawnedAt = performance.now();
    this.proc = fork(script, [], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      execArgv,
      stdio: ['ignore', fd, fd === 'ignore' ? 'inherit' : fd, 'ipc'],
    });
    if (typeof fd === 'number') closeSync(fd);
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => resolve({ code, signal })));
    this.proc.on('message', (message: ChildMessage) => {
      const i = this.waiters.findIndex((w) => w.type === message.type);
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(message);
    });
    void this.exited.then(({ code, signal }) => {
      for (const w of this.waiters.splice(0)) w.reject(new Error(`${name} exited (${signal ?? `code ${code}`}) before answering`));
    });
  }

  next<T extends ChildMessage['type']>(type: T, timeoutMs = 30_000): Promise<MessageOf<T>> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { type, resolve: (m) => resolve(m as MessageOf<T>), reject };
      this.waiters.push(waiter);
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.name}: no '${type}' message within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
    });
  }

  /** Resolves with the 'listening' message and the ms from spawn to it. */
  async listening(): Promise<ListeningMessage & { startMs: number }> {
    const message = await this.next('listening', START_TIMEOUT_MS);
    return { ...message, startMs: performance.now() - this.spawnedAt };
  }

  /** Command counts since the last reset, RSS now and its peak since the last reset. */
  async stats({ reset = false } = {}): Promise<StatsMessage> {
    const answer = this.next('stats');
    this.proc.send({ type: 'stats', reset });
    return answer;
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.send({ type: 'stop' });
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * Spawns the real server against a running database and times spawn → its "listening on" log
 * line. `env` must name the database (MONGODB_URI) and may set anything else the server reads.
 */
export async function timeRealServerStart(script: string, env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const proc = spawn(process.execPath, [...NODE_FLAGS, script], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'development', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening on" line within 30 s: ${output.slice(-500)}`)), 30_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (/listening on http/i.test(output)) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', onData);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with code ${code} before listening: ${output.slice(-500)}`));
      });
    });
  } finally {
    const exited = new Promise<void>((resolve) => (proc.exitCode !== null ? resolve() : proc.once('exit', () => resolve())));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
