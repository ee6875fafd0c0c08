// The processes under load, forked with an IPC channel: the app server, the bare Express ceiling,
// and the real server (dist/server/index.js) spawned only to time its start.
import { fork, spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const START_TIMEOUT_MS = 120_000;
const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** A forked child speaking the bench's IPC protocol (see bench/app-server.ts). */
export class Child {
  constructor(name, script, { env = {}, execArgv = [], logFile } = {}) {
    this.name = name;
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
    this.waiters = [];
    this.proc.on('message', (message) => {
      const i = this.waiters.findIndex((w) => w.type === message.type);
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(message);
    });
    this.exited.then(({ code, signal }) => {
      for (const w of this.waiters.splice(0)) w.reject(new Error(`${name} exited (${signal ?? `code ${code}`}) before answering`));
    });
  }

  next(type, timeoutMs = 30_000) {
    return new Promise((resolve, reject) => {
      const waiter = { type, resolve, reject };
      this.waiters.push(waiter);
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.name}: no '${type}' message within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
    });
  }

  /** Resolves with the 'listening' message and the ms from spawn to it. */
  async listening() {
    const message = await this.next('listening', START_TIMEOUT_MS);
    return { ...message, startMs: performance.now() - this.spawnedAt };
  }

  /** Command counts since the last reset, RSS now and its peak since the last reset. */
  async stats({ reset = false } = {}) {
    const answer = this.next('stats');
    this.proc.send({ type: 'stats', reset });
    return answer;
  }

  async stop() {
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
export async function timeRealServerStart(script, env) {
  const started = performance.now();
  const proc = spawn(process.execPath, [script], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'development', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening on" line within 30 s: ${output.slice(-500)}`)), 30_000);
      const onData = (chunk) => {
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
    const exited = new Promise((resolve) => (proc.exitCode !== null ? resolve() : proc.once('exit', resolve)));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
