import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: the long reliability files under test/reliability/ (supervisor faults,
 * crash consistency: kill -9 of the real platform RELIABILITY_ROUNDS times per case, default 20), kept out of the default `npm test`. Each file asserts on every descendant and
 * descriptor of its own process, so each gets a fresh one, one at a time; `--expose-gc` lets the
 * memory figures be taken after a collection.
 */
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    include: ['test/reliability/**/*.test.ts'],
    pool: 'forks',
    isolate: true,
    maxWorkers: 1,
    execArgv: ['--expose-gc'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
  },
});
