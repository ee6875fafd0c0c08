/**
 * Jest: two projects. `server` (unit, integration, security, browser, reliability) runs in Node
 * with the network closed but for localhost; `client` runs the SPA's services in jsdom with
 * angular-mocks. One test database for the run, started in globalSetup.
 */
const transform = {
  '^.+\\.ts$': '<rootDir>/test/support/esbuild-transform.mjs',
  // otplib's dependencies ship ESM only, which Jest on Node 20 cannot require: compile them to CommonJS.
  '^.+/node_modules/(@scure/base|@noble/hashes)/.+\\.js$': '<rootDir>/test/support/esbuild-transform.mjs',
};
const transformIgnorePatterns = ['/node_modules/(?!(@scure/base|@noble/hashes)/)'];

module.exports = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  // Two, not one more than cores: on two loaded cores, three workers had 12 tests run past their
  // timeouts where two had 4 (a third is worth trying on a quiet machine: --maxWorkers=3).
  maxWorkers: 2,
  // The slowest files first, also without a cache (a fresh clone): see the file.
  testSequencer: '<rootDir>/test/support/sequencer.mjs',
  projects: [
    {
      displayName: 'server',
      // Node's, recording whether a test failed (for its afterEach hooks): see the file.
      testEnvironment: '<rootDir>/test/support/test-environment.ts',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/client/'],
      setupFilesAfterEnv: ['<rootDir>/test/support/setup-network.ts', '<rootDir>/test/support/no-secrets.ts'],
      transform,
      transformIgnorePatterns,
    },
    {
      displayName: 'client',
      testEnvironment: 'jsdom',
      roots: ['<rootDir>/test/client'],
      testMatch: ['**/*.test.ts'],
      transform,
      transformIgnorePatterns,
    },
  ],
};
