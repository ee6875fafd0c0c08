/** Jest: unit and integration tests share one test database started in globalSetup. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': 'ts-jest',
    // otplib's dependencies ship ESM only, which Jest on Node 20 cannot require: compile them to CommonJS.
    '^.+/node_modules/(@scure/base|@noble/hashes)/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'es2022' }, diagnostics: false },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@scure/base|@noble/hashes)/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/setup-network.ts', '<rootDir>/test/support/no-secrets.ts'],
  testTimeout: 30000,
  maxWorkers: 2,
};
