/**
 * Soak: mixed load on loopback against the real `node dist/main.js serve` (SQLite in a temp dir) for a
 * bounded time, with its upstream MCP servers killed at random, then the figures and targets:
 *
 *   npm run soak                      # 10 minutes
 *   SOAK_SECONDS=60 npm run soak      # the CI version
 *
 * Load: gateway tools/call at 32 in flight (4 stdio upstreams x 8), an Alertmanager webhook post every
 * 200 ms, log queries every 300 ms, two live tails (SSE) held open, console-style polling of the list
 * endpoints every second, a backup every minute (every SOAK_SECONDS/3 when shorter), and a random
 * upstream SIGKILLed every ~SOAK_KILL_EVERY_MS (default 10 s; restart_policy always brings it back).
 * RSS, heap, open fds and event-loop lag come from the platform's own GET /metrics every 5 s, also
 * through a cool-down after the load (SOAK_COOLDOWN_SECONDS, default half the run, at most 90 s).
 * Exits 1 when a target is missed. dist/ is built first when missing (SOAK_BUILD=1 rebuilds).
 * Lives in bench/ beside the other load drivers: it shares their harness and is run by hand or in CI,
 * not as part of the product's scripts.
 */
import Database from 'better-sqlite3';
import { rmSync, writeFileSync } from 'node:fs';
import { figures } from './soak-figures.js';
import { backups, gatewayLoad, killer, liveTails, newRecord, restLoad, sampleMetrics, sampler } from './soak-load.js';
import { startPlatform, stopPlatform } from './soak-platform.js';

const SECONDS = Number(process.env['SOAK_SECONDS'] ?? 600);
const SERVERS = 4;
const PER_SERVER = 8;
const KILL_EVERY_MS = Number(process.env['SOAK_KILL_EVERY_MS'] ?? 10_000);
const COOLDOWN_SECONDS = Number(process.env['SOAK_COOLDOWN_SECONDS'] ?? Math.min(90, SECONDS / 2));

const platform = await startPlatform(SERVERS);
process.stderr.write(`soak: ${SECONDS} s against ${platform.base} (pid ${platform.child.pid}), ${SERVERS * PER_SERVER} gateway calls in flight\n`);
const rec = newRecord();
const t0 = Date.now();
const deadline = t0 + SECONDS * 1000;
const until = () => Date.now() >= deadline;
const stopTails = new AbortController();
let platformDied = false;
platform.child.once('exit', () => (platformDied = !until()));

rec.samples.push(await sampleMetrics(platform));
const progress = setInterval(() => {
  const ok = rec.calls.filter((c) => c.ok).length;
  process.stderr.write(`soak: ${Math.round((Date.now() - t0) / 1000)} s, ${rec.calls.length} calls (${rec.calls.length - ok} failed), ${rec.kills.length} kills\n`);
}, 30_000);
const tails = liveTails(platform, rec, until, stopTails.signal);
await Promise.all([
  gatewayLoad(platform, rec, PER_SERVER, until),
  restLoad(platform, rec, until),
  backups(platform, rec, Math.min(60_000, (SECONDS * 1000) / 3), until),
  killer(platform, rec, KILL_EVERY_MS, until),
  sampler(platform, rec, 5000, until),
]);
clearInterval(progress);
const seconds = (Date.now() - t0) / 1000;
rec.samples.push(await sampleMetrics(platform));
stopTails.abort();
await tails;
// Cool-down: the platform idle for a while, sampled every 5 s. Memory a leak holds stays; memory the
// load only borrowed (V8's heap sized to the allocation rate, a backup's thread) goes back.
const cooldownUntil = Date.now() + COOLDOWN_SECONDS * 1000;
await sampler(platform, { ...rec, samples: rec.cooldown }, 5000, () => Date.now() >= cooldownUntil);

const stopStart = Date.now();
const exitCode = await stopPlatform(platform);
const stopSeconds = (Date.now() - stopStart) / 1000;
if (process.env['SOAK_SAMPLES']) writeFileSync(process.env['SOAK_SAMPLES'], JSON.stringify({ load: rec.samples, cooldown: rec.cooldown }));
const db = new Database(platform.dbFile, { readonly: true });
const logged = db.prepare(`select count(*) as n from mcp_logs where server = 'gateway' and direction = 'out' and method = 'tools/call'`).get() as { n: number };
const integrity = db.prepare('pragma integrity_check').get() as { integrity_check: string };
db.close();

const { figures: out, targets, failures } = figures(rec, logged.n, seconds);
targets.push({ name: 'platform exit code after SIGTERM (and never died during the run)', value: platformDied ? -1 : (exitCode ?? -1), limit: 0, unit: '', ok: !platformDied && exitCode === 0 });
targets.push({ name: 'database integrity_check', value: integrity.integrity_check === 'ok' ? 0 : 1, limit: 0, unit: '', ok: integrity.integrity_check === 'ok' });
if (process.env['SOAK_KEEP'] !== '1') rmSync(platform.dir, { recursive: true, force: true });

for (const f of failures) process.stderr.write(`soak: failure: ${f}\n`);
for (const t of targets) console.log(`${t.info ? 'INFO' : t.ok ? 'PASS' : 'FAIL'}  ${t.name}: ${t.value}${t.unit ? ' ' + t.unit : ''} (target ${t.below ? '<' : '<='} ${t.limit}${t.info ? `, ${t.why ?? 'judged on runs of 5 min or more'}` : ''})`);
console.log(`soak figures ${JSON.stringify({ ...out, shutdown_seconds: stopSeconds })}`);
process.exit(targets.every((t) => t.ok) ? 0 : 1);
