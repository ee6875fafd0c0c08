// How the bench bundles its servers (this checkout's, and an --against checkout's): for Node, the
// packages left to node_modules, import() kept as require(), as scripts/build.mjs builds the server.
import type { BuildOptions } from 'esbuild';

export const SERVER_BUNDLE = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  supported: { 'dynamic-import': false },
  sourcemap: true,
  logLevel: 'warning',
} satisfies BuildOptions;
