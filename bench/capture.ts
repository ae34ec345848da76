/**
 * Dashboard capture: a local 4-panel dashboard (four canvases, each drawn after its own late query)
 * captured through the warm browser pool, and the same capture with a cold launch (a pool that
 * recycles its browser after every capture), alternating in the same run. Prints the warm p50, the
 * warm ÷ cold ratio (target ≤ 0.3) and the peak memory of the pool's Chromium processes (PSS summed
 * over the browser and its helpers, sampled every 100 ms).
 *
 *   npx tsx bench/capture.ts            # 15 rounds
 *   ROUNDS=30 npx tsx bench/capture.ts
 *
 * `MODE=many` (not run by CI: minutes on a busy machine) instead runs CAPTURES (200) captures of a tiny
 * page in a row through a pool recycling its browser every RECYCLE (20) captures, then closes the pool
 * and counts what is left: Chromium processes (every one seen during the run, reparented ones included;
 * must be 0) and this process's open file descriptors against before. capture.many.test.ts runs 50.
 *
 *   MODE=many npx tsx bench/capture.ts
 */
import { readFileSync } from 'node:fs';
import { CHROMIUM_PATH } from '../test/components.js';
import { startDashboardSite } from '../test/helpers/dashboard-site.js';
import { chromiumDescendants, chromiumStillAlive, descendantsOf, openFds } from '../test/helpers/processes.js';
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
const config = { ...t.config.capture, browsers: 1, idleMs: 0, keepCount: 50, timeoutMs: 90_000 };
const warm = createCaptureService({ ...base, config: { ...config, recycleAfter: 1_000_000 } });
const cold = createCaptureService({ ...base, config: { ...config, recycleAfter: 1 } });

/** MODE=many: CAPTURES captures in a row with recycling, then what the closed pool left behind. */
async function many(): Promise<void> {
  const n = Number(process.env['CAPTURES'] ?? 200);
  const recycle = Number(process.env['RECYCLE'] ?? 20);
  const svc = createCaptureService({ ...base, config: { ...config, keepCount: 10, recycleAfter: recycle } });
  await t.ctx.capture.createDashboard({ name: 'tiny', kind: 'url', url: `${site.base}/plain.html`, width: 200, height: 120 }, CLI);
  const fdsBefore = openFds();
  const seen = new Set<number>();
  let mostProcesses = 0;
  const times: number[] = [];
  const started = performance.now();
  try {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const shot = await svc.capture({ dashboard: 'tiny' }, CLI);
      if (shot.bytes < 50) throw new Error('empty capture');
      times.push((performance.now() - t0) / 1000);
      const now = chromiumDescendants();
      for (const pid of now) seen.add(pid);
      mostProcesses = Math.max(mostProcesses, now.length);
    }
  } finally {
    await svc.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && (chromiumStillAlive(seen).length > 0 || chromiumDescendants().length > 0)) await new Promise((r) => setTimeout(r, 200));
  const left = new Set([...chromiumStillAlive(seen), ...chromiumDescendants()]);
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`${n} captures of a tiny page in a row, recycled every ${recycle}: ${seconds.toFixed(1)} s, p50 ${sorted[Math.floor(n / 2)]!.toFixed(3)} s, ${svc.poolStats().launches} launches`);
  console.log(`Chromium processes: at most ${mostProcesses} at once, ${seen.size} seen, ${left.size} left after the pool closed (must be 0)`);
  console.log(`open file descriptors: ${fdsBefore} before, ${openFds()} after`);
  if (left.size > 0) process.exitCode = 1;
}

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
  if (process.env['MODE'] === 'many') await many();
  else await ratio();
} finally {
  await warm.close();
  await cold.close();
  await guard.close();
  await t.close();
  await site.close();
}

/** The default mode: warm ÷ cold on the 4-panel dashboard. */
async function ratio(): Promise<void> {
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
}
