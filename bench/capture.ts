/**
 * Dashboard capture: a local 4-panel dashboard (four canvases, each drawn after its own late query)
 * captured through the warm browser pool, and the same capture with a cold launch (a pool that
 * recycles its browser after every capture), alternating in the same run. Prints the warm p50, the
 * warm ÷ cold ratio (target ≤ 0.3) and the peak memory of the pool's Chromium processes (PSS summed
 * over the browser and its helpers, sampled every 100 ms).
 *
 *   npx tsx bench/capture.ts            # 15 rounds
 *   ROUNDS=30 npx tsx bench/capture.ts
 */
import { readFileSync } from 'node:fs';
import { CHROMIUM_PATH } from '../test/components.js';
import { startDashboardSite } from '../test/helpers/dashboard-site.js';
import { descendantsOf } from '../test/helpers/processes.js';
import { createTestApp } from '../test/helpers/test-app.js';
import { createCaptureService } from '../src/capture/capture.service.js';
import { createOutboundGuard } from '../src/lib/outbound-guard.js';
import { createOutboundPolicy } from '../src/lib/outbound-policy.js';
import { localCaller } from '../src/secrets/secret-caller.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 15);
const CLI = localCaller('cli', 'bench');

const site = await startDashboardSite();
const t = await createTestApp({ CHROMIUM_PATH });
const guard = createOutboundGuard(createOutboundPolicy(['127.0.0.1']));
const base = { db: t.ctx.db, audit: t.ctx.audit, guard, secrets: t.ctx.secrets, dataDir: t.config.dataDir, apiPrefix: '/api/v1', allowedHosts: () => [] };
const config = { ...t.config.capture, browsers: 1, idleMs: 0, keepCount: 50 };
const warm = createCaptureService({ ...base, config: { ...config, recycleAfter: 1_000_000 } });
const cold = createCaptureService({ ...base, config: { ...config, recycleAfter: 1 } });

/** PSS (kB) of every Chromium process under this one: shared pages counted once, split between sharers. */
function chromiumPssKb(): number {
  let total = 0;
  for (const pid of descendantsOf(process.pid)) {
    try {
      if (!/chrom/i.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1'))) continue;
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'));
      total += Number(m?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

try {
  await t.ctx.capture.createDashboard({ name: 'four', kind: 'url', url: `${site.base}/four.html`, width: 1280, height: 720 }, CLI);
  const once = async (svc: typeof warm) => {
    const started = performance.now();
    const shot = await svc.capture({ dashboard: 'four' }, CLI);
    if (shot.bytes < 1000) throw new Error('empty capture');
    return (performance.now() - started) / 1000;
  };
  await once(warm); // the pool's first launch is not a warm capture
  let peakKb = 0;
  const sampler = setInterval(() => (peakKb = Math.max(peakKb, chromiumPssKb())), 100);
  const w: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    w.push(await once(warm));
    c.push(await once(cold));
  }
  clearInterval(sampler);
  const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`4-panel dashboard 1280x720, ${ROUNDS} rounds (warm and cold alternating)`);
  console.log(`warm capture p50 ${p50(w).toFixed(3)} s (min ${Math.min(...w).toFixed(3)}, max ${Math.max(...w).toFixed(3)})`);
  console.log(`cold-launch capture p50 ${p50(c).toFixed(3)} s (min ${Math.min(...c).toFixed(3)}, max ${Math.max(...c).toFixed(3)})`);
  console.log(`warm / cold ${(p50(w) / p50(c)).toFixed(3)} (target <= 0.3)`);
  console.log(`peak Chromium PSS ${(peakKb / 1024).toFixed(0)} MB (both pools: one warm browser and one being recycled)`);
} finally {
  await warm.close();
  await cold.close();
  await guard.close();
  await t.close();
  await site.close();
}
