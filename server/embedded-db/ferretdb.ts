// FerretDB v1 on SQLite: the MongoDB-compatible fallback when no mongod can be had. See docs/architecture.md, "The database".
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../platform/paths';
import { findOnPath, isExecutable } from './executables';
import type { DatabaseLogger, EmbeddedDatabase, EmbeddedOptions, Env } from './embedded';
import { supervise } from './supervisor';

const FERRETDB_READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
/** How long the watchdog may take to stop a FerretDB whose app died (it checks every 0.5 s). */
const WATCHDOG_STOP_MS = STOP_GRACE_MS + 1500;

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
  // Only the owner may enter: the socket inside is the database's only door.
  await chmod(baseDir, 0o700);
  const socketDir = await socketDirectory(baseDir);
  const socket = path.join(socketDir, SOCKET_NAME);
  // Removed when the database stops, or by the watchdog when this process dies first.
  const throwAway = [...(options.ephemeral ? [baseDir] : []), ...(socketDir === baseDir ? [] : [socketDir])];
  const removeThrowAway = () => Promise.all(throwAway.map((dir) => rm(dir, { recursive: true, force: true })));

  const launch = async (): Promise<Launched> => {
    const child = await spawnFerretDB(bin, sqliteDir, baseDir, socket);
    const release = guardChild(child, throwAway);
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => {
        release();
        resolve(signal ? `was killed by ${signal}` : `exited with code ${String(code)}`);
      });
    });
    return { child, pid: child.pid, exited };
  };

  let first: Launched;
  try {
    first = await launch();
  } catch (err) {
    await removeThrowAway();
    throw err;
  }
  options.logger?.info(
    { dataDir: options.ephemeral ? 'temporary' : sqliteDir, databasePid: first.child.pid },
    `started FerretDB (SQLite) on the unix socket ${socket}`,
  );
  const supervisor = options.onFailure
    ? supervise(first, { name: 'FerretDB', restart: launch, logger: options.logger, onFailure: options.onFailure })
    : undefined;
  const current = () => supervisor?.current() ?? first;
  return {
    kind: 'ferretdb',
    // The driver takes a host ending in ".sock" as a socket path (and keeps its case).
    uri: `mongodb://${encodeURIComponent(socket)}/`,
    get pid() {
      return current().child.pid;
    },
    stop: async () => {
      supervisor?.stop();
      await stopChild(current().child);
      await removeThrowAway();
    },
  };
}

interface Launched {
  child: ChildProcess;
  pid?: number;
  exited: Promise<string>;
}

const SOCKET_NAME = 'ferretdb.sock';
/** A unix socket path holds at most 107 bytes on Linux (103 on macOS). */
const MAX_SOCKET_PATH = 100;

/** The data directory, or where its path is too long for a socket, a private (0700) one under the OS temp dir. */
async function socketDirectory(baseDir: string): Promise<string> {
  if (Buffer.byteLength(path.join(baseDir, SOCKET_NAME)) <= MAX_SOCKET_PATH) return baseDir;
  return mkdtemp(path.join(os.tmpdir(), 'asq-'));
}

async function spawnFerretDB(bin: string, sqliteDir: string, stateDir: string, socket: string): Promise<ChildProcess> {
  await removeStaleSocket(socket);
  const child = spawn(
    bin,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${sqliteDir}/`,
      // No TCP listener (any local user could connect to one), no debug HTTP listener: only the socket.
      '--listen-addr=',
      `--listen-unix=${socket}`,
      '--debug-addr=',
      `--state-dir=${stateDir}`,
      '--telemetry=disable',
      '--log-level=warn',
    ],
    // Its own process group: a Ctrl-C in the terminal reaches the app, which stops FerretDB once
    // the requests in flight are answered, instead of FerretDB dying under them.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
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
    if ((await probeSocket(socket)) === 'open') {
      child.unref();
      for (const stream of [child.stdout, child.stderr]) (stream as unknown as net.Socket | null)?.unref();
      return child;
    }
    await delay(50);
  }
  await stopChild(child);
  throw new Error(
    `FerretDB did not open ${socket} within ${FERRETDB_READY_TIMEOUT_MS / 1000} s: ${tail(output, 1000).trim() || 'no output'}`,
  );
}

/**
 * A socket file left by a FerretDB that was killed blocks the next one. A live one is either a
 * FerretDB whose app just died (its watchdog stops it within seconds: an app restarted in a hurry,
 * as `npm run dev` does) or another app on the same data: wait a little, then say so.
 */
async function removeStaleSocket(socket: string): Promise<void> {
  let state = await probeSocket(socket);
  for (const deadline = Date.now() + WATCHDOG_STOP_MS; state === 'open' && Date.now() < deadline;) {
    await delay(200);
    state = await probeSocket(socket);
  }
  if (state === 'open') {
    throw new Error(`FerretDB is already running on ${socket}: is another copy of the app running on the same data directory?`);
  }
  if (state === 'stale') await rm(socket, { force: true });
}

function probeSocket(socket: string): Promise<'open' | 'stale' | 'absent'> {
  return new Promise((resolve) => {
    const conn = net.connect(socket);
    conn.once('connect', () => {
      conn.destroy();
      resolve('open');
    });
    conn.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ENOENT' ? 'absent' : 'stale'));
  });
}

// Runs beside FerretDB: once our process is gone (even by SIGKILL), stops FerretDB and removes
// its throw-away directories. Arguments: parent pid, child pid, directories to remove.
const WATCHDOG_SCRIPT = `
const fs = require('node:fs');
const [parent, child, ...dirs] = process.argv.slice(1);
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
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }, 100);
}, 500);
`;

/** Kills the child when this process exits: an 'exit' hook, and the watchdog for deaths that skip it. Returns the undo. */
function guardChild(child: ChildProcess, throwAwayDirs: string[]): () => void {
  const onExit = () => child.kill('SIGKILL');
  process.on('exit', onExit);
  // Detached, like FerretDB: a Ctrl-C meant for the app must not stop the watchdog.
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG_SCRIPT, String(process.pid), String(child.pid), ...throwAwayDirs], {
    stdio: 'ignore',
    detached: true,
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
