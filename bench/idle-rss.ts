/**
 * Idle memory of the platform with 10 managed stdio servers running: `mcps serve` (SQLite, temp
 * dir) with 10 copies of bench/servers/echo-server.mjs registered and started, one gateway call to
 * each, then left idle; RSS (VmRSS from /proc) sampled every second for SAMPLE_SECONDS after
 * SETTLE_SECONDS. Reports the platform process alone, its children (the servers and anything
 * else it runs), and the sum. Target: platform process <= 150 MB. Linux only.
 * Then, unless LATE_SECONDS=0, the platform process again over SAMPLE_SECONDS from LATE_SECONDS of
 * idle: V8 shrinks the heap (new space back to ~1 MB) at its first idle collection, which comes some
 * 25-35 s after the last call, so the first window may fall either side of it.
 *
 *   npx tsx bench/idle-rss.ts                       # the sources under tsx (loader included)
 *   npx tsc -p tsconfig.build.json && BENCH_DIST=1 npx tsx bench/idle-rss.ts   # as installed: dist/main.js
 *   SERVERS=10 SETTLE_SECONDS=20 SAMPLE_SECONDS=10 npx tsx bench/idle-rss.ts
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { children, startGateway } from './harness.js';
import { echoCall, openDriver } from './mcp-http-driver.js';

const SERVERS = Number(process.env['SERVERS'] ?? 10);
const SETTLE_SECONDS = Number(process.env['SETTLE_SECONDS'] ?? 20);
const SAMPLE_SECONDS = Number(process.env['SAMPLE_SECONDS'] ?? 10);
const LATE_SECONDS = Number(process.env['LATE_SECONDS'] ?? 60);
const ECHO = path.join(import.meta.dirname, 'servers', 'echo-server.mjs');
const MB = 1024 * 1024;

/** VmRSS of a pid in bytes, or 0 when it is gone. */
function rss(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Every descendant of `root` (from /proc/<pid>/stat's ppid). */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(entry), ppid);
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const [child, ppid] of parent) {
      if (ppid !== pid) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  const gw = await startGateway({ name: 'echo', args: [ECHO, 'stdio'], count: SERVERS });
  // One call through each server's gateway endpoint: the idle state after real use, not after boot.
  for (let i = 1; i <= SERVERS; i++) {
    const driver = await openDriver(`${gw.base}/mcp/${i === 1 ? 'echo' : `echo-${i}`}`, gw.key, 1);
    await driver.call(echoCall('echo'));
    driver.close();
  }
  const kids = descendants(gw.pid);
  console.log(`platform pid ${gw.pid} (${process.env['BENCH_DIST'] === '1' ? 'dist/main.js' : 'src/main.ts under tsx'}), ${kids.length} descendants, ${SERVERS} managed stdio servers running`);
  await new Promise((r) => setTimeout(r, SETTLE_SECONDS * 1000));
  const own: number[] = [];
  const withChildren: number[] = [];
  for (let s = 0; s < SAMPLE_SECONDS; s++) {
    const platform = rss(gw.pid);
    const rest = descendants(gw.pid).reduce((sum, pid) => sum + rss(pid), 0);
    own.push(platform);
    withChildren.push(platform + rest);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const p = median(own) / MB;
  const all = median(withChildren) / MB;
  console.log(`idle RSS, median of ${SAMPLE_SECONDS} samples after ${SETTLE_SECONDS} s idle:`);
  console.log(`  platform process alone: ${p.toFixed(1)} MB (max ${(Math.max(...own) / MB).toFixed(1)}) (target <= 150 MB: ${p <= 150 ? 'met' : `not met, ${(p - 150).toFixed(1)} MB over`})`);
  console.log(`  its ${descendants(gw.pid).length} descendants: ${(all - p).toFixed(1)} MB (${((all - p) / SERVERS).toFixed(1)} MB per server)`);
  console.log(`  platform with children: ${all.toFixed(1)} MB`);
  if (LATE_SECONDS > SETTLE_SECONDS + SAMPLE_SECONDS) {
    await new Promise((r) => setTimeout(r, (LATE_SECONDS - SETTLE_SECONDS - SAMPLE_SECONDS) * 1000));
    const late: number[] = [];
    for (let s = 0; s < SAMPLE_SECONDS; s++) {
      late.push(rss(gw.pid));
      await new Promise((r) => setTimeout(r, 1000));
    }
    const l = median(late) / MB;
    console.log(`  platform process alone after ${LATE_SECONDS} s idle: ${l.toFixed(1)} MB (max ${(Math.max(...late) / MB).toFixed(1)}) (target <= 150 MB: ${l <= 150 ? 'met' : `not met, ${(l - 150).toFixed(1)} MB over`})`);
  }
  rmSync(gw.dir, { recursive: true, force: true });
} finally {
  for (const c of children) c.kill('SIGINT');
}
