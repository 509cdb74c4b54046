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
  // One worker per core (jest's default leaves one core to its parent process, which only collects results: on a
  // 2-core machine that is one worker, and the CPU-bound simulations ran one file at a time). Test files share no
  // state: each writes only under its own mkdtemp folder, and the bundles are built once, by globalSetup, before any
  // file runs.
  maxWorkers: '100%',
  // build output (dist/) never stands in for a source file
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/tools/dist/'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // Jest runs every module in a vm context, where each lookup of a global (Math.imul, Array.isArray, Infinity) goes
  // through an interceptor V8 cannot cache: about 100 times slower than in plain Node (nodejs/node#31658,
  // jestjs/jest#5163), and a simulation looks them up per request (the seeded random draws, the metric store). Jest
  // passes these as parameters of each module's wrapper instead: the same objects, found as locals. Only built-ins
  // nothing replaces: never Date or the timers (the virtual clock fakes them after modules load). A module that
  // declares one of these names at its top level fails to load (aws-cdk-lib's states/map.js declares Map, several
  // modules Buffer: so neither is here).
  sandboxInjectedGlobals: [
    'Math', 'JSON', 'Object', 'Array', 'Number', 'String', 'Symbol', 'Set', 'WeakMap', 'Promise', 'Error', 'TypeError',
    'RegExp', 'Reflect', 'Infinity', 'ArrayBuffer', 'DataView', 'Uint8Array', 'Uint32Array', 'Float64Array', 'BigInt',
    'isNaN', 'parseInt', 'parseFloat', 'encodeURIComponent', 'decodeURIComponent',
  ],
};
