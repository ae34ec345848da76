/**
 * analyze_logs throughput (level counts + histogram + top errors) on a generated `timestamp level
 * message` file, against `LC_ALL=C grep -c ERROR` on the same file in the same run.
 *   npx tsx bench/analyzer.ts [megabytes=1024]
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { analyzeLogs } from '../src/analyzer/analyze.js';
import { resolveLogFiles } from '../src/analyzer/log-inputs.js';
import { defaultTimeOptions } from '../src/analyzer/timestamps.js';
import { LABELLED_KINDS, labelledLines } from '../test/fixtures/logs/generators.js';

const mb = Number(process.argv[2] ?? 1024);
const dir = mkdtempSync(path.join(tmpdir(), 'mcps-bench-analyzer-'));
const file = path.join(dir, 'app.log');

async function generate(): Promise<void> {
  const pool = Object.keys(LABELLED_KINDS).flatMap((k, i) => labelledLines(k, 4000, i).map((l) => l.text));
  const levels = ['INFO', 'INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'];
  const out = createWriteStream(file);
  const start = Date.UTC(2024, 2, 1);
  let bytes = 0;
  for (let i = 0; bytes < mb * 1024 * 1024; i++) {
    let chunk = '';
    for (let j = 0; j < 1000; j++, i++) chunk += `${new Date(start + i * 10).toISOString()} ${levels[i % 7]} ${pool[i % pool.length]}\n`;
    bytes += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

await generate();
const size = statSync(file).size;
const t0 = process.hrtime.bigint();
// bash's `time` gives grep's own CPU seconds (user + system) beside the wall clock.
const grepRun = spawnSync('bash', ['-c', 'TIMEFORMAT="%U %S"; time grep -c ERROR "$0"', file], { env: { ...process.env, LC_ALL: 'C' } });
const grepSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
const grep = grepRun.stdout.toString().trim();
const [gu, gs] = grepRun.stderr.toString().trim().split('\n').pop()!.split(' ').map(Number);
const grepCpu = gu! + gs!;
const cpu0 = process.cpuUsage();
const t1 = process.hrtime.bigint();
const [logFile] = await resolveLogFiles([file], [dir]);
const r = await analyzeLogs([{ kind: 'file', file: logFile! }], { time: defaultTimeOptions() }, { filter: {}, topErrors: 10 });
const seconds = Number(process.hrtime.bigint() - t1) / 1e9;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const mbps = size / 1024 / 1024 / seconds;
const grepMbps = size / 1024 / 1024 / grepSeconds;
console.log(JSON.stringify({
  file_mb: Math.round(size / 1024 / 1024),
  entries: r.entries,
  errors: r.levels.error,
  grep_count: Number(grep),
  analyze_mb_per_s: Number(mbps.toFixed(1)),
  grep_mb_per_s: Number(grepMbps.toFixed(1)),
  ratio: Number((mbps / grepMbps).toFixed(3)),
  // By CPU time (this process, all its threads; grep's own): less sensitive to a shared machine.
  analyze_mb_per_cpu_s: Number((size / 1024 / 1024 / cpuSeconds).toFixed(1)),
  grep_mb_per_cpu_s: Number((size / 1024 / 1024 / grepCpu).toFixed(1)),
  ratio_cpu: Number((grepCpu / cpuSeconds).toFixed(3)),
  peak_rss_mb: Math.round(process.memoryUsage().rss / 1024 / 1024),
}));
rmSync(dir, { recursive: true, force: true });
