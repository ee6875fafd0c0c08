// @ts-check
// Jest transform: TypeScript (and the ESM-only packages otplib needs) to CommonJS with esbuild,
// types stripped, not checked (`npm run typecheck` checks them before Jest runs). It compiles a
// file in a fraction of the time TypeScript's own transpiler (which ts-jest used) takes and loads no
// compiler into each worker: it matters with the cold cache of a fresh clone (CI).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transformSync, version } from 'esbuild';

// The compiler options of tsconfig.json that change the emitted JavaScript.
const tsconfigRaw = { compilerOptions: { target: 'ES2022', useDefineForClassFields: true, esModuleInterop: true } };
const self = crypto
  .createHash('sha1')
  .update(fs.readFileSync(fileURLToPath(import.meta.url)))
  .update(version)
  .digest('hex');

/** @type {import('@jest/transform').SyncTransformer} */
export default {
  getCacheKey(source, filename) {
    return crypto.createHash('sha1').update(self).update('\0').update(filename).update('\0').update(source).digest('hex');
  },
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: filename.endsWith('.ts') ? 'ts' : 'js',
      format: 'cjs',
      target: 'node20',
      platform: 'node',
      sourcefile: filename,
      sourcemap: 'external',
      sourcesContent: false,
      tsconfigRaw,
      // `await import(…)` becomes a require(), as tsc emits it for CommonJS: Jest's module registry
      // (and its isolation between files) only sees require().
      supported: { 'dynamic-import': false },
    });
    return { code, map };
  },
};
