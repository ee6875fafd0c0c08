// npm run bench: bench/run.ts is TypeScript, so it is bundled with esbuild into a temporary folder
// (node_modules linked in) and run from there with the arguments given; the folder also holds the
// bench's snapshot of dist/ and is removed at the end. See bench/README.md.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { SERVER_BUNDLE } from './server-bundle.mjs';

const root = path.resolve(import.meta.dirname, '..');
const dir = await mkdtemp(path.join(tmpdir(), 'asq-bench-'));
let code;
try {
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  await build({ ...SERVER_BUNDLE, absWorkingDir: root, entryPoints: ['bench/run.ts'], outfile: path.join(dir, 'run.js') });
  const child = spawn(process.execPath, ['--enable-source-maps', path.join(dir, 'run.js'), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_ROOT: root, BENCH_BUILD: dir },
  });
  // A Ctrl-C reaches the bench too, which stops its servers and exits: wait for it.
  process.on('SIGINT', () => {});
  code = await new Promise((resolve) => child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
} finally {
  await rm(dir, { recursive: true, force: true });
}
process.exit(code);
