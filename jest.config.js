/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': 'ts-jest' },
  globalSetup: '<rootDir>/test/support/build-bundles.js',
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  // An e2e test runs a whole simulation: a few seconds alone, minutes on a loaded machine. One that times out leaves its
  // simulation running into the next tests, so the limit is generous; a hung test still fails.
  testTimeout: 300000,
  // build output (dist/) never stands in for a source file
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/tools/dist/'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
