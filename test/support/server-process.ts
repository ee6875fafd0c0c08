// The real server (server/index.ts) as a child process, as `npm start` runs it, for tests that
// send it signals, kill what it runs, or start it in a cluster. It is bundled with esbuild into a
// temporary folder that stands in for the repository (so its .data/ is a throw-away one), with
// node_modules linked in. Every process a test starts is killed in afterAll, even when the test
// failed: the server's process group (its cluster workers) and every database process it logged.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { locateFerretDB } from '../../server/embedded-db/ferretdb';
import { LogCapture, registerLogs } from './app';
import { isAlive } from './processes';

const REPO = path.resolve(__dirname, '..', '..');

export interface LogLine {
  level?: number;
  /** When the server wrote it (ms since the epoch). */
  time?: number;
  msg?: string;
  pid?: number;
  databasePid?: number;
  /** A line that is not JSON (the one-line reason on stderr before an exit). */
  text: string;
  /** The pipe it came by: the order between the two pipes is not kept, only within each. */
  stream: 'stdout' | 'stderr';
}

export interface ServerProcess {
  proc: ChildProcess;
  pid: number;
  /** Every line the server wrote, stdout and stderr, in order. */
  lines: LogLine[];
  /** Resolves with the first line matching `pattern` (among those after line `after`, seen or to come), at most `ms` from now. */
  waitFor(pattern: RegExp, options?: { ms?: number; after?: number }): Promise<LogLine>;
  /** The base URL, from the "listening on" line. */
  listening(ms?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A folder standing in for the repository: dist/server/index.js, node_modules, and room for .data/. */
export interface ServerRoot {
  dir: string;
  dataDir: string;
  /** What the server needs in its environment to start FerretDB without building it. */
  env: Record<string, string>;
}

const roots: string[] = [];
const started: ServerProcess[] = [];
/** Database processes the servers logged (FerretDB and its restarts), killed in afterAll too. */
const databasePids = new Set<number>();

export async function prepareServerRoot(): Promise<ServerRoot> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'asq-server-'));
  roots.push(dir);
  await writeFile(path.join(dir, 'package.json'), '{"private": true}\n');
  await symlink(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  await mkdir(path.join(dir, 'dist', 'server'), { recursive: true });
  await build({
    absWorkingDir: REPO,
    entryPoints: ['server/index.ts'],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    supported: { 'dynamic-import': false }, // as scripts/build.mjs builds it
    outfile: path.join(dir, 'dist', 'server', 'index.js'),
    logLevel: 'warning',
  });
  const env = {
    FERRETDB_BIN: await locateFerretDB(process.env),
    // The embedded database is FerretDB here, even where a mongod could be had: an unusable
    // mongod makes mongodb-memory-server fail at once, and the resolver falls back.
    MONGOMS_SYSTEM_BINARY: path.join(dir, 'no-mongod'),
  };
  return { dir, dataDir: path.join(dir, '.data'), env };
}

/** Starts `node dist/server/index.js` in `root` with a clean environment plus `env` (PORT 0, loopback). */
export function spawnServer(root: ServerRoot, env: Record<string, string> = {}): ServerProcess {
  const proc = spawn(process.execPath, ['dist/server/index.js'], {
    cwd: root.dir,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? root.dir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...root.env,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: cleanup can reach its workers too
  });
  const capture = registerLogs(new LogCapture());
  const lines: LogLine[] = [];
  const waiters: { pattern: RegExp; resolve(line: LogLine): void }[] = [];
  const onLine = (text: string, stream: LogLine['stream']) => {
    let line: LogLine = { text, stream };
    try {
      line = { ...(JSON.parse(text) as object), text, stream };
    } catch {
      // not JSON: kept as text
    }
    if (line.databasePid) databasePids.add(line.databasePid);
    lines.push(line);
    capture.lines.push(text);
    for (const w of waiters.filter((x) => x.pattern.test(text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(line);
    }
  };
  for (const [name, stream] of [
    ['stdout', proc.stdout],
    ['stderr', proc.stderr],
  ] as const) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      parts.filter(Boolean).forEach((text) => onLine(text, name));
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );

  const waitFor = (pattern: RegExp, { ms = 20_000, after = -1 } = {}) =>
    new Promise<LogLine>((resolve, reject) => {
      const seen = lines.find((l, i) => i > after && pattern.test(l.text));
      if (seen) return resolve(seen);
      const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${ms} ms; output:\n${tail(lines)}`)), ms);
      waiters.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${signal ?? code}) before a line matching ${pattern}; output:\n${tail(lines)}`));
      });
    });
  const server: ServerProcess = {
    proc,
    pid: proc.pid!,
    lines,
    waitFor,
    listening: async (ms) => {
      const line = await waitFor(/listening on http:\/\//, { ms });
      return /(http:\/\/[^\s]+)/.exec(line.msg ?? line.text)![1];
    },
    exited,
  };
  started.push(server);
  return server;
}

function tail(lines: LogLine[]): string {
  return lines
    .slice(-15)
    .map((l) => (l.msg ?? l.text).slice(0, 300))
    .join('\n');
}

/** Polls until `fn` is true, for up to `ms`. */
export async function until(what: string, fn: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterAll(async () => {
  for (const s of started) {
    try {
      process.kill(-s.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const pid of databasePids) {
    try {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await Promise.all(started.map((s) => s.exited));
  await Promise.all(roots.map((dir) => rm(dir, { recursive: true, force: true })));
});
