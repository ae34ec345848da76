import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/sequencer.js';

const TESTS = ['src/**/*.test.ts', 'test/**/*.test.ts'];
/** Files that assert on every descendant of their own process: they get a fresh worker each. */
const OWN_PROCESS = ['src/servers/supervision/supervisor.test.ts', 'src/servers/supervision/supervisor-cycles.test.ts'];
/** Long reliability runs: `npm run test:reliability` (vitest.reliability.config.ts), not `npm test`. */
const RELIABILITY = ['test/reliability/**'];
const timeouts = { testTimeout: 30_000, hookTimeout: 60_000 };
/**
 * Three platforms behind HAProxy, a kill -9 and a 30 s lease takeover (about a minute of three servers'
 * CPU): only in `npm run test:scale` (MCPS_SCALE_TESTS=1), not in `npm test`.
 */
const SCALE_ONLY = process.env['MCPS_SCALE_TESTS'] === '1' ? [] : ['test/scale/instances.test.ts', 'test/scale/placement.test.ts'];

export default defineConfig({
  test: {
    // Runs once for the projects below; what it provides reaches all of them.
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/skipped-reporter.ts'],
    // Two cores: keep child-process-heavy files from starving each other.
    maxWorkers: 2,
    // Without recorded durations (a fresh clone), files that start processes run first.
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      // Files share a worker's module cache instead of importing the whole app again each (measured:
      // half the CPU of the in-process files, docs/benchmarks.md). Tests hold no module-level state to reset.
      { test: { name: 'shared', include: TESTS, exclude: [...OWN_PROCESS, ...RELIABILITY, ...SCALE_ONLY], pool: 'forks', isolate: false, ...timeouts } },
      { test: { name: 'own-process', include: OWN_PROCESS, pool: 'forks', isolate: true, ...timeouts } },
    ],
  },
});
