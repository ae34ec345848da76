import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: the crash-consistency cases in test/reliability (kill -9 of the real
 * platform, RELIABILITY_ROUNDS times per case, default 20). Kept out of `npm test` for their length
 * (docs/RELIABILITY.md has the times). One file at a time: each starts and kills the platform
 * dozens of times, and two at once on a small machine would only slow each other.
 */
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    include: ['test/reliability/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 900_000,
    hookTimeout: 120_000,
  },
});
