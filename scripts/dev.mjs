// @ts-check
// npm run dev: rebuild the SPA and the server on every change (esbuild's watch) and restart the
// server when its bundle changes (node --watch), as the original's nodemon did.
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const root = path.resolve(import.meta.dirname, '..');
const builder = spawn(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--watch'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
/** @type {import('node:child_process').ChildProcess | undefined} */
let server;
const built = new Set();

readline.createInterface({ input: /** @type {import('node:stream').Readable} */ (builder.stdout) }).on('line', (line) => {
  console.log(line);
  const done = /^build: (the SPA|the server) rebuilt$/.exec(line);
  if (done) built.add(done[1]);
  // The first time both bundles exist, start the server; node --watch restarts it on every server rebuild.
  if (!server && built.size === 2) {
    server = spawn(process.execPath, ['--watch', '--enable-source-maps', path.join(root, 'dist', 'server', 'index.js')], {
      cwd: root,
      stdio: 'inherit',
    });
    server.on('exit', (code) => process.exit(code ?? 0));
  }
});
builder.on('exit', (code) => {
  server?.kill('SIGTERM');
  process.exitCode = code ?? 1;
});

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    builder.kill('SIGTERM');
    server?.kill(signal);
  });
}
