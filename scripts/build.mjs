// @ts-check
// Bundles the SPA and the sandbox page (browser) and the server (Node) with esbuild.
// Browser assets get content hashes so they can be cached for a year; the HTML pages are
// rewritten to them. `--watch` rebuilds on every change (npm run dev).
import { build, context } from 'esbuild';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import zlib from 'node:zlib';
import path from 'node:path';
import { SERVER_BUNDLE } from './server-bundle.mjs';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'dist');
const publicDir = path.join(out, 'public');
const assetsDir = path.join(publicDir, 'assets');
const watch = process.argv.includes('--watch');

/**
 * AngularJS's own minified build (closure-compiled: about 6 kB smaller gzipped than esbuild's
 * minification of angular.js). `npm run dev` keeps angular.js, whose errors are easier to read.
 * @type {import('esbuild').Plugin}
 */
const minifiedAngular = {
  name: 'minified-angular',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]angular[\\/]index\.js$/ }, (args) => ({
      contents: "require('./angular.min.js');\nmodule.exports = angular;\n",
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

/** @type {import('esbuild').BuildOptions} */
const browserOptions = {
  absWorkingDir: root,
  entryPoints: { app: 'client/main.ts', sandbox: 'client/sandbox/sandbox.ts', styles: 'client/styles.css' },
  bundle: true,
  minify: !watch,
  sourcemap: watch ? 'inline' : false,
  target: ['es2020'],
  format: 'iife',
  outdir: assetsDir,
  entryNames: '[name]-[hash]',
  loader: { '.html': 'text', '.svg': 'file', '.woff2': 'file' },
  metafile: true,
  logLevel: 'warning',
  plugins: watch ? [] : [minifiedAngular],
};

/** @type {import('esbuild').BuildOptions} */
const serverOptions = {
  ...SERVER_BUNDLE,
  absWorkingDir: root,
  entryPoints: ['server/index.ts', 'server/upgrade-legacy-hashes.ts'],
  outdir: path.join(out, 'server'),
};

/**
 * After a browser build: the HTML pages point at the hashed files, stale files are removed,
 * and every asset gets precompressed copies (served to browsers that accept them).
 * @param {import('esbuild').Metafile} metafile
 * @returns {Promise<string[]>} the entry names written
 */
async function finishBrowserBuild(metafile) {
  /** @type {Record<string, string>} */
  const assets = {};
  const current = new Set();
  for (const [file, meta] of Object.entries(metafile.outputs)) {
    current.add(path.basename(file));
    if (meta.entryPoint) assets[path.basename(file).replace(/-[A-Z0-9]+(\.\w+)$/, '$1')] = '/assets/' + path.basename(file);
  }
  for (const page of ['index.html', 'sandbox/sandbox.html']) {
    const html = (await readFile(path.join(root, 'client', page), 'utf8')).replace(/\{\{asset:([\w.]+)\}\}/g, (_, name) => {
      const asset = assets[/** @type {string} */ (name)];
      if (!asset) throw new Error(`build: ${page} names an unknown asset ${String(name)}`);
      return asset;
    });
    await writeFile(path.join(publicDir, path.basename(page)), html);
  }
  for (const file of await readdir(assetsDir)) {
    const base = file.replace(/\.(gz|br)$/, '');
    if (!current.has(base)) {
      await rm(path.join(assetsDir, file), { force: true });
      continue;
    }
    if (file !== base || !/\.(js|css|svg)$/.test(file)) continue;
    const content = await readFile(path.join(assetsDir, file));
    await writeFile(path.join(assetsDir, file + '.gz'), zlib.gzipSync(content, { level: watch ? 1 : 9 }));
    const quality = watch ? 4 : 11;
    await writeFile(
      path.join(assetsDir, file + '.br'),
      zlib.brotliCompressSync(content, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: quality } }),
    );
  }
  return Object.keys(assets);
}

// A one-off build starts from nothing; a watching one keeps dist/ so the running server keeps its files.
if (!watch) await rm(out, { recursive: true, force: true });
await mkdir(assetsDir, { recursive: true });

if (!watch) {
  const browser = await build(browserOptions);
  const names = await finishBrowserBuild(/** @type {import('esbuild').Metafile} */ (browser.metafile));
  await build(serverOptions);
  console.log('build: wrote dist/ (' + names.join(', ') + ')');
} else {
  /** @param {string} what @param {(result: import('esbuild').BuildResult) => Promise<void>} after */
  const report = (what, after) => ({
    name: `report-${what}`,
    /** @param {import('esbuild').PluginBuild} b */
    setup(b) {
      b.onEnd(async (result) => {
        if (result.errors.length > 0) return console.log(`build: ${what} has errors; waiting for a fix`);
        await after(result);
        console.log(`build: ${what} rebuilt`);
      });
    },
  });
  const browser = await context({
    ...browserOptions,
    plugins: [report('the SPA', (r) => finishBrowserBuild(/** @type {import('esbuild').Metafile} */ (r.metafile)).then(() => undefined))],
  });
  const server = await context({ ...serverOptions, plugins: [report('the server', async () => undefined)] });
  await Promise.all([browser.watch(), server.watch()]);
  console.log('build: watching client/, server/ and common/');
}
