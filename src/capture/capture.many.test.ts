import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH } from '../../test/components.js';
import { startDashboardSite, type DashboardSite } from '../../test/helpers/dashboard-site.js';
import { needs } from '../../test/helpers/needs.js';
import { readPng } from '../../test/helpers/png.js';
import { chromiumDescendants, chromiumStillAlive, openFds } from '../../test/helpers/processes.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { localCaller } from '../secrets/secret-caller.js';

const CLI = localCaller('cli', 'test');
/** 50 here (a minute on a busy 2-core machine); `MODE=many npx tsx bench/capture.ts` runs the 200 of the issue. */
const CAPTURES = 50;

/**
 * Many captures in a row with the pool recycling its browser every 10: every capture is a real PNG, at
 * most one browser at a time, and once the pool closes no Chromium process seen during the run is
 * left (reparented helpers included) and the platform holds no more file descriptors than before.
 */
describe.skipIf(!needs('chromium'))('captures in a row leave nothing behind', () => {
  let t: TestApp;
  let site: DashboardSite;

  beforeAll(async () => {
    site = await startDashboardSite();
    t = await createTestApp({ CHROMIUM_PATH, MCPS_CAPTURE_BROWSERS: '1', MCPS_CAPTURE_RECYCLE_AFTER: '10', MCPS_CAPTURE_TIMEOUT_SECONDS: '30', MCPS_CAPTURE_KEEP_COUNT: '5' });
    await t.ctx.capture.createDashboard({ name: 'tiny', kind: 'url', url: `${site.base}/plain.html`, width: 200, height: 120 }, CLI);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await site?.close();
  });

  it(`${CAPTURES} captures with recycling: no Chromium process and no extra file descriptor once the pool closes`, async () => {
    const fdsBefore = openFds();
    const seen = new Set<number>();
    let mostBrowsers = 0;
    for (let i = 0; i < CAPTURES; i++) {
      const shot = await t.ctx.capture.capture({ dashboard: 'tiny' }, CLI);
      expect(readPng(shot.data).at(100, 60).slice(0, 3)).toEqual([0, 160, 0]);
      for (const pid of chromiumDescendants()) seen.add(pid);
      mostBrowsers = Math.max(mostBrowsers, t.ctx.capture.poolStats().browsers);
    }
    expect(t.ctx.capture.poolStats().launches).toBe(CAPTURES / 10);
    expect(mostBrowsers).toBe(1);
    // Retention kept the newest 5 files.
    expect((await t.ctx.capture.listScreenshots({ limit: 100, offset: 0 }, CLI)).total).toBe(5);
    expect(seen.size).toBeGreaterThan(CAPTURES / 10);
    await t.ctx.capture.close();
    await waitFor(() => chromiumStillAlive(seen).length === 0 && chromiumDescendants().length === 0, 15_000, 'every Chromium process gone');
    await waitFor(() => openFds() <= fdsBefore + 2, 10_000, `file descriptors back to ${fdsBefore} (now ${openFds()})`);
  }, 300_000);
});
