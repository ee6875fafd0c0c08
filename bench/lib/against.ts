// `--against <checkout>`: the same bench, in the same run, also against another checkout of this
// repository (say `git worktree add ../before main`, then `npm ci && npm run build` there). Its
// server is built with this checkout's bench/app-server.ts, so both apps are wired, counted and
// measured alike; only the code under server/ (and its node_modules and dist/public) is theirs.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { SERVER_BUNDLE } from '../../scripts/server-bundle.mjs';

export interface AgainstBuild {
  root: string;
  commit: string | null;
  appServer: string;
  publicDir: string;
  /** The V8 flags that checkout starts its server with (server/start/node-flags.ts; none before it had one). */
  nodeFlags: string[];
}

/** The flags named in the other checkout's server/start/node-flags.ts, read as text (it is not built here). */
function nodeFlagsOf(root: string): string[] {
  const file = path.join(root, 'server', 'start', 'node-flags.ts');
  if (!existsSync(file)) return [];
  const list = /NODE_FLAGS[^=]*=\s*\[([^\]]*)\]/.exec(readFileSync(file, 'utf8'));
  return [...(list?.[1] ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]);
}

/** The checkout the figures are of: its commit, `-dirty` with uncommitted changes. */
export function commitOf(dir: string): string | null {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { cwd: dir, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** Imports of ../server/… from bench/app-server.ts resolve in the other checkout. */
function serverFrom(root: string): Plugin {
  return {
    name: 'server-from-other-checkout',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/server\// }, (args) => {
        if (!args.importer.endsWith(path.join('bench', 'app-server.ts'))) return undefined;
        const base = path.join(root, args.path.slice(3));
        const file = ['.ts', '/index.ts'].map((ext) => base + ext).find((f) => existsSync(f));
        if (!file) throw new Error(`--against: ${root} has no ${args.path.slice(3)}(.ts): is it a checkout of this repository?`);
        return { path: file };
      });
    },
  };
}

/** Builds the other checkout's app server into `dir` (with its node_modules linked in and a snapshot of its dist/public). */
export async function buildAgainst(benchRoot: string, root: string, dir: string): Promise<AgainstBuild> {
  const dist = path.join(root, 'dist');
  if (!existsSync(path.join(dist, 'public', 'index.html')) || !existsSync(path.join(root, 'node_modules'))) {
    throw new Error(`--against ${root}: run \`npm ci && npm run build\` there first`);
  }
  await mkdir(dir, { recursive: true });
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const publicDir = path.join(dir, 'public');
  await cp(path.join(dist, 'public'), publicDir, { recursive: true });
  await build({
    absWorkingDir: benchRoot,
    entryPoints: { 'app-server': 'bench/app-server.ts' },
    ...SERVER_BUNDLE,
    plugins: [serverFrom(root)],
    outdir: dir,
  });
  return { root, commit: commitOf(root), appServer: path.join(dir, 'app-server.js'), publicDir, nodeFlags: nodeFlagsOf(root) };
}
