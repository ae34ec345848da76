import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/skipped-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: keep child-process-heavy files from starving each other.
    maxWorkers: 2,
    // Files share a worker's module cache instead of importing the whole app again each (measured: half
    // the CPU of the in-process suites, docs/benchmarks.md). Tests hold no module-level state to reset.
    pool: 'forks',
    isolate: false,
  },
});
