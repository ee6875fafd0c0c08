// @ts-check
// How the server is bundled for Node, by the build (scripts/build.mjs) and by the bench (its own
// entry points, and an --against checkout's): the packages left to node_modules, and import() of
// a package turned into require(), as in the tests (Jest's esbuild transform emits CommonJS), so a
// package loaded on first use is the same build either way.

/** @type {import('esbuild').BuildOptions} */
export const SERVER_BUNDLE = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  supported: { 'dynamic-import': false },
  sourcemap: true,
  logLevel: 'warning',
};
