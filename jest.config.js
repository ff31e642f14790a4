/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // middy is ESM-only: let it through the transform.
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  moduleNameMapper: {
    '^@middy/core$': '<rootDir>/node_modules/@middy/core/index.js',
    // zod's exports map sends require() of a locale to its ESM file; shared/zod.ts loads the CommonJS twin here.
    '^zod/v4/locales/([a-zA-Z-]+)\\.js$': '<rootDir>/node_modules/zod/v4/locales/$1.cjs',
  },
  testSequencer: '<rootDir>/test/sequencer.js',
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // The SDK mock's matchers (toHaveReceivedCommand...) are imported by the files that use them: loaded for every
  // file they cost about 0.6 s of CPU each, over 200 files.
  testTimeout: 60000,
  // Suites run in parallel: the deploy decisions no longer depend on event timing (one reconcile loop that
  // reads ECS itself), and no test asserts a wall-clock bound. Workers whose heap grew past the limit after a
  // suite are replaced, so a suite never inherits another's heap.
  maxWorkers: 2,
  workerIdleMemoryLimit: '768MB',
};
