/**
 * 1,000 HTTP monitors at a 60 s interval on one platform instance (`mcps serve` from source, SQLite
 * unless DATABASE_URL is set), all checking a local HTTP server run by this process. After the
 * monitors are created, the run is measured for SECONDS (default 90; FULL=1 for 5 minutes):
 *   - the platform's CPU share of one core (utime + stime from /proc over wall time) and peak RSS;
 *   - the check-start jitter: delay between a monitor's due time and its start, p50/p99/max, from
 *     GET /api/v1/monitors/scheduler (target p99 < 1 s);
 *   - checks answered by the local server per second (expected ~ MONITORS / 60).
 * Loopback only, bounded.
 *
 *   npm run bench:monitors
 *   FULL=1 npm run bench:monitors                 # 5 minutes
 *   MONITORS=500 SECONDS=60 npm run bench:monitors
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { children, freePort, spawnChild, waitHttp } from './harness.js';

const MONITORS = Number(process.env['MONITORS'] ?? 1000);
const SECONDS = process.env['FULL'] ? 300 : Number(process.env['SECONDS'] ?? 90);
const ROOT = path.join(import.meta.dirname, '..');

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.replace(/\D+/g, '')) / 1024;
}

async function main(): Promise<void> {
  let hits = 0;
  const target = createServer((_req, res) => {
    hits++;
    res.end('ok');
  });
  const targetPort = await freePort();
  await new Promise<void>((r) => target.listen(targetPort, '127.0.0.1', () => r()));

  const dir = mkdtempSync(path.join(tmpdir(), 'mcps-bench-mon-'));
  const port = await freePort();
  const child = spawnChild(['--import', import.meta.resolve('tsx'), path.join(ROOT, 'src/main.ts'), 'serve'], {
    ENVIRONMENT: 'test',
    PORT: String(port),
    DATA_DIR: path.join(dir, 'data'),
    LOG_DIR: path.join(dir, 'logs'),
    LOG_LEVEL: 'warn',
    BACKUP_SCHEDULE: 'off',
    MCPS_ADMIN_PASSWORD: 'bench-admin-password',
    DATABASE_URL: process.env['DATABASE_URL'] ?? `sqlite:///${path.join(dir, 'mcps.db')}`,
  });
  child.stdout!.resume();
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitHttp(`${base}/health`);
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'bench-admin-password' }) });
    const { access_token } = (await login.json()) as { access_token: string };
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${access_token}` };
    const created = Date.now();
    for (let i = 0; i < MONITORS; i += 20) {
      await Promise.all(Array.from({ length: Math.min(20, MONITORS - i) }, async (_, k) => {
        const r = await fetch(`${base}/api/v1/monitors`, { method: 'POST', headers, body: JSON.stringify({ name: `bench-${i + k}`, check: { kind: 'http', target: `http://127.0.0.1:${targetPort}/health/${i + k}` }, interval_seconds: 60 }) });
        if (r.status !== 201) throw new Error(`create: ${r.status} ${await r.text()}`);
      }));
    }
    console.log(`created ${MONITORS} monitors in ${((Date.now() - created) / 1000).toFixed(1)} s; measuring ${SECONDS} s`);
    const pid = child.pid!;
    const cpu0 = cpuSeconds(pid);
    const hits0 = hits;
    const t0 = performance.now();
    let peakRss = rssMb(pid);
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(pid))), 1000);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    clearInterval(sampler);
    const wall = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(pid) - cpu0;
    const stats = (await (await fetch(`${base}/api/v1/monitors/scheduler`, { headers })).json()) as Record<string, number>;
    const list = (await (await fetch(`${base}/api/v1/monitors`, { headers })).json()) as { items: { state: string }[] };
    const up = list.items.filter((m) => m.state === 'up').length;
    console.log(JSON.stringify({
      monitors: MONITORS,
      seconds: Math.round(wall),
      platform_cpu_share_of_one_core: Math.round((cpu / wall) * 1000) / 1000,
      platform_peak_rss_mb: Math.round(peakRss),
      checks_per_second: Math.round(((hits - hits0) / wall) * 10) / 10,
      expected_checks_per_second: Math.round((MONITORS / 60) * 10) / 10,
      start_delay_p50_ms: stats['start_delay_p50_ms'],
      start_delay_p99_ms: stats['start_delay_p99_ms'],
      start_delay_max_ms: stats['start_delay_max_ms'],
      skipped_busy: stats['skipped_busy'],
      monitors_up: up,
    }, null, 2));
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await new Promise<void>((r) => target.close(() => r()));
    await new Promise((r) => setTimeout(r, 1000));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
