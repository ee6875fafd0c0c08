// FerretDB v1 on SQLite: the MongoDB-compatible fallback when no mongod can be had. See docs/architecture.md, "The database".
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../paths';
import { errorText, findOnPath, isExecutable } from './executables';
import type { DatabaseLogger, EmbeddedDatabase, EmbeddedOptions, Env } from './embedded';

const FERRETDB_READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;

/** FERRETDB_BIN, else `ferretdb` on PATH, else the binary scripts/ensure-ferretdb.sh builds and caches. */
export async function locateFerretDB(env: Env, logger?: DatabaseLogger): Promise<string> {
  const configured = env.FERRETDB_BIN?.trim();
  if (configured) {
    if (!isExecutable(configured)) throw new Error(`FERRETDB_BIN (${configured}) is not an executable file`);
    return configured;
  }
  const onPath = findOnPath('ferretdb', env);
  if (onPath) return onPath;
  const script = path.join(REPO_ROOT, 'scripts', 'ensure-ferretdb.sh');
  if (!existsSync(script)) throw new Error(`FerretDB is not installed and ${script} is missing`);
  logger?.info('FerretDB: running scripts/ensure-ferretdb.sh (builds it once with Go when not cached; takes a minute)');
  const { code, stdout, stderr } = await runScript('bash', [script], env);
  const bin = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !bin || !isExecutable(bin)) {
    throw new Error(`scripts/ensure-ferretdb.sh failed (exit ${code}): ${tail(stderr, 600).trim() || 'no output'}`);
  }
  return bin;
}

export async function startFerretDB(bin: string, options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const baseDir = options.ephemeral ? await mkdtemp(path.join(os.tmpdir(), 'asq-ferretdb-')) : path.join(options.dataDir, 'ferretdb');
  const sqliteDir = path.join(baseDir, 'sqlite');
  await mkdir(sqliteDir, { recursive: true, mode: 0o700 }); // FerretDB needs it to exist

  // Free ports are picked then released, so another process may grab one: retry on that.
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const [port, debugPort] = await Promise.all([freePort(), freePort()]);
    try {
      const child = await spawnFerretDB(bin, sqliteDir, baseDir, port, debugPort);
      const release = guardChild(child, options.ephemeral ? baseDir : undefined);
      options.logger?.info({ dataDir: options.ephemeral ? 'temporary' : sqliteDir }, `started FerretDB (SQLite) on 127.0.0.1:${port}`);
      return {
        kind: 'ferretdb',
        uri: `mongodb://127.0.0.1:${port}/`,
        stop: async () => {
          release();
          await stopChild(child);
          if (options.ephemeral) await rm(baseDir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      lastError = err;
      if (!/address already in use/i.test(errorText(err))) break;
    }
  }
  if (options.ephemeral) await rm(baseDir, { recursive: true, force: true });
  throw lastError;
}

async function spawnFerretDB(bin: string, sqliteDir: string, stateDir: string, port: number, debugPort: number): Promise<ChildProcess> {
  const child = spawn(
    bin,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${sqliteDir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${stateDir}`,
      '--telemetry=disable',
      `--debug-addr=127.0.0.1:${debugPort}`,
      '--log-level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Keep draining its output (a full pipe would block it) and remember the tail for errors.
  let output = '';
  const collect = (chunk: Buffer) => {
    output = tail(output + chunk.toString('utf8'), 4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  // Set from the child's events while the loop below waits (an object, so TypeScript does not narrow it away).
  const status: { exited?: string } = {};
  child.once('error', (err) => (status.exited = `could not run ${bin}: ${err.message}`));
  child.once('exit', (code, signal) => (status.exited = `exited with ${signal ?? `code ${String(code)}`}`));

  const deadline = Date.now() + FERRETDB_READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (status.exited) throw new Error(`FerretDB ${status.exited}: ${tail(output, 1000).trim() || 'no output'}`);
    if (await isLive(debugPort)) {
      child.unref();
      for (const stream of [child.stdout, child.stderr]) (stream as unknown as net.Socket | null)?.unref();
      return child;
    }
    await delay(50);
  }
  await stopChild(child);
  throw new Error(
    `FerretDB did not answer /debug/livez within ${FERRETDB_READY_TIMEOUT_MS / 1000} s: ${tail(output, 1000).trim() || 'no output'}`,
  );
}

function isLive(debugPort: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: debugPort, path: '/debug/livez', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

// Runs beside FerretDB: once our process is gone (even by SIGKILL), stops FerretDB and removes
// its throw-away directory. Arguments: parent pid, child pid, directory to remove ('' for none).
const WATCHDOG_SCRIPT = `
const fs = require('node:fs');
const [parent, child, dir] = process.argv.slice(1);
const alive = (pid) => {
  try { process.kill(Number(pid), 0); } catch { return false; }
  // A zombie (dead, not yet reaped) still answers kill(pid, 0).
  try { return !/^\\d+ \\(.*\\) Z/.test(fs.readFileSync('/proc/' + pid + '/stat', 'utf8')); } catch { return true; }
};
const timer = setInterval(() => {
  if (alive(parent)) { if (!alive(child)) process.exit(0); return; }
  clearInterval(timer);
  try { process.kill(Number(child), 'SIGTERM'); } catch {}
  const started = Date.now();
  const wait = setInterval(() => {
    if (alive(child) && Date.now() - started < 5000) return;
    try { process.kill(Number(child), 'SIGKILL'); } catch {}
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }, 100);
}, 500);
`;

/** Kills the child when this process exits: an 'exit' hook, and the watchdog for deaths that skip it. Returns the undo. */
function guardChild(child: ChildProcess, throwAwayDir: string | undefined): () => void {
  const onExit = () => child.kill('SIGKILL');
  process.on('exit', onExit);
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG_SCRIPT, String(process.pid), String(child.pid), throwAwayDir ?? ''], {
    stdio: 'ignore',
  });
  watchdog.on('error', () => {}); // the exit hook still covers normal exits
  watchdog.unref();
  return () => {
    process.off('exit', onExit);
    watchdog.kill();
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function runScript(command: string, args: string[], env: Env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr = tail(stderr + chunk.toString('utf8'), 8000)));
    child.once('error', (err) => resolve({ code: null, stdout, stderr: err.message }));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tail(text: string, max: number): string {
  return text.length > max ? text.slice(text.length - max) : text;
}
