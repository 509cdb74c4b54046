/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': 'ts-jest' },
  globalSetup: '<rootDir>/test/support/build-bundles.js',
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  testTimeout: 60000,
  // build output (dist/) never stands in for a source file
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/tools/dist/'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
