// Bundles the SPA and the sandbox page (browser) and the server (Node) with esbuild.
// Browser assets get content hashes so they can be cached for a year; index.html is rewritten to them.
import { build } from 'esbuild';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import zlib from 'node:zlib';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'dist');
const publicDir = path.join(out, 'public');

await rm(out, { recursive: true, force: true });
await mkdir(publicDir, { recursive: true });

const browser = await build({
  absWorkingDir: root,
  entryPoints: { app: 'client/main.ts', sandbox: 'client/sandbox/sandbox.ts', styles: 'client/styles.css' },
  bundle: true,
  minify: true,
  sourcemap: false,
  target: ['es2020'],
  format: 'iife',
  outdir: path.join(publicDir, 'assets'),
  entryNames: '[name]-[hash]',
  loader: { '.html': 'text', '.svg': 'file', '.woff2': 'file' },
  metafile: true,
  logLevel: 'warning',
});

// Map entry names to their hashed file names for the HTML pages.
const assets = {};
for (const [file, meta] of Object.entries(browser.metafile.outputs)) {
  const name = meta.entryPoint ? path.basename(file).replace(/-[A-Z0-9]+(\.\w+)$/, '$1') : null;
  if (name) assets[name] = '/assets/' + path.basename(file);
}
for (const page of ['index.html', 'sandbox/sandbox.html']) {
  let html = await readFile(path.join(root, 'client', page), 'utf8');
  html = html.replace(/\{\{asset:([\w.]+)\}\}/g, (_, name) => {
    if (!assets[name]) throw new Error(`build: ${page} names an unknown asset ${name}`);
    return assets[name];
  });
  await writeFile(path.join(publicDir, path.basename(page)), html);
}

// Precompressed copies, served to browsers that accept them (no compression work per request).
const assetsDir = path.join(publicDir, 'assets');
for (const file of await readdir(assetsDir)) {
  if (!/\.(js|css|svg)$/.test(file)) continue;
  const content = await readFile(path.join(assetsDir, file));
  await writeFile(path.join(assetsDir, file + '.gz'), zlib.gzipSync(content, { level: 9 }));
  await writeFile(
    path.join(assetsDir, file + '.br'),
    zlib.brotliCompressSync(content, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }),
  );
}

await build({
  absWorkingDir: root,
  entryPoints: ['server/index.ts', 'server/upgrade-legacy-hashes.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  outdir: path.join(out, 'server'),
  sourcemap: true,
  logLevel: 'warning',
});

console.log('build: wrote dist/ (' + Object.keys(assets).join(', ') + ')');
