/**
 * analyze_logs throughput (level counts + histogram + top errors) on a generated `timestamp level
 * message` file, against `LC_ALL=C grep -c ERROR` on the same file in the same run: first on one thread, then as
 * analyze_logs runs it (worker threads, up to os.availableParallelism()); the two results must be equal.
 *   npx tsx bench/analyzer.ts [megabytes=1024] [--dist]
 * `--dist` runs the built analyzer (dist/, after `npx tsc -p tsconfig.build.json`), as `mcps` runs it: under tsx each
 * worker thread first compiles the analyzer's TypeScript (about 0.4 s of CPU per thread), which the built code does not.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, createWriteStream, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import type { LogSource } from '../src/analyzer/entries.js';
import { LABELLED_KINDS, labelledLines } from '../test/fixtures/logs/generators.js';
import { idleSeconds, runQueueWait, type Waits } from './run-queue.js';

const dist = process.argv.includes('--dist');
const lib = (name: string) => (dist ? `../dist/analyzer/${name}` : `../src/analyzer/${name}`);
const { analysisResult, analyzeLogs, analyzePart } = (await import(lib('analyze.js'))) as typeof import('../src/analyzer/analyze.js');
const { resolveLogFiles } = (await import(lib('log-inputs.js'))) as typeof import('../src/analyzer/log-inputs.js');
const { defaultTimeOptions } = (await import(lib('timestamps.js'))) as typeof import('../src/analyzer/timestamps.js');
const mb = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1024);
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
// The ceiling of any per-line reader in Node: only count the newlines (Buffer.indexOf, 1 MB reads), one thread.
const ceiling = await timed(async () => {
  const fd = openSync(file, 'r');
  const chunk = Buffer.allocUnsafe(1 << 20);
  let lines = 0;
  for (let read = readSync(fd, chunk, 0, chunk.length, null); read > 0; read = readSync(fd, chunk, 0, chunk.length, null)) {
    for (let nl = chunk.indexOf(10); nl !== -1 && nl < read; nl = chunk.indexOf(10, nl + 1)) lines++;
  }
  closeSync(fd);
  return lines;
});
const [logFile] = await resolveLogFiles([file], [dir]);
const sources: LogSource[] = [{ kind: 'file', file: logFile! }];
const o = { filter: {}, topErrors: 10 };
// One thread (the calling one) first, then as analyze_logs runs: worker threads, up to os.availableParallelism().
const one = await timed(async () => analysisResult([await analyzePart(sources, { time: defaultTimeOptions() }, o)], o));
// The workers' run-queue wait is sampled while they run (they are gone at the end).
const wait0 = runQueueWait();
let waits: Waits = wait0;
const sampler = setInterval(() => (waits = runQueueWait(wait0, waits)), 100);
const { result: r, seconds, cpuSeconds } = await timed(() => analyzeLogs(sources, { time: defaultTimeOptions() }, o));
clearInterval(sampler);
const idle = idleSeconds(waits, cpuSeconds, availableParallelism());
if (JSON.stringify(one.result) !== JSON.stringify(r)) throw new Error('the threaded result differs from the one-thread result');
if (ceiling.result !== r.lines) throw new Error(`counted ${ceiling.result} newlines, analyze_logs read ${r.lines} lines`);

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; seconds: number; cpuSeconds: number }> {
  const cpu0 = process.cpuUsage();
  const t1 = process.hrtime.bigint();
  const result = await run();
  const cpu = process.cpuUsage(cpu0);
  return { result, seconds: Number(process.hrtime.bigint() - t1) / 1e9, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
const mbps = size / 1024 / 1024 / seconds;
const grepMbps = size / 1024 / 1024 / grepSeconds;
console.log(JSON.stringify({
  code: dist ? 'dist' : 'src (tsx)',
  load_average: loadavg().map((l) => Number(l.toFixed(1))),
  threads: availableParallelism(),
  one_thread_mb_per_s: Number((size / 1024 / 1024 / one.seconds).toFixed(1)),
  one_thread_mb_per_cpu_s: Number((size / 1024 / 1024 / one.cpuSeconds).toFixed(1)),
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
  // Seconds the analyzer's threads were runnable but waited for a core, and the cores it used (1 = one whole core).
  analyze_run_queue_wait_s: Number(waits.total.toFixed(2)),
  analyze_cpu_cores_used: Number((cpuSeconds / seconds).toFixed(2)),
  // Estimated for idle cores from the CPU times measured: analyze_logs no faster than its busiest thread (or all its
  // CPU over the cores), grep at its MB per CPU second (one thread). An upper bound on the idle-machine ratio.
  idle_estimate_analyze_mb_per_s: Number((size / 1024 / 1024 / idle).toFixed(1)),
  idle_estimate_ratio: Number((grepCpu / idle).toFixed(3)),
  // Counting newlines alone (no parsing), one thread: the most a per-line reader in Node can do.
  newline_count_mb_per_s: Number((size / 1024 / 1024 / ceiling.seconds).toFixed(1)),
  newline_count_mb_per_cpu_s: Number((size / 1024 / 1024 / ceiling.cpuSeconds).toFixed(1)),
  newline_count_ratio: Number((size / 1024 / 1024 / ceiling.seconds / grepMbps).toFixed(3)),
  peak_rss_mb: Math.round(process.memoryUsage().rss / 1024 / 1024),
}));
rmSync(dir, { recursive: true, force: true });
