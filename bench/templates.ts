/**
 * Template mining speed: lines/s of Drain over N generated labelled lines (all kinds mixed, 51
 * templates), with the grouping accuracy on the same lines and the peak RSS.
 *   npx tsx bench/templates.ts [lines=1000000] [--regex] [--dist]
 * Two runs over the same file: on one thread (the lines read in 1 MB chunks, each decoded to a string and given to
 * Drain.add in the timed loop), then as the miner runs big files, mineFileParallel (the masking on worker threads,
 * up to os.availableParallelism(), Drain on this thread); every line's template must be the same in both or the bench
 * fails. `--dist` runs the built miner (dist/, after `npx tsc -p tsconfig.build.json`), as `mcps` runs it: under tsx
 * each worker thread first compiles the TypeScript it loads (CPU that the built code does not spend). `--regex` masks with the defining regex instead of the fast path (the baseline; one thread only).
 * Reported: lines/s by wall clock and by this process's CPU time (all its threads), the time its threads waited
 * for a core (the kernel's run-queue delay, /proc/<pid>/task/<tid>/schedstat: on a shared machine this, not I/O, is
 * where the wall clock goes), the peak RSS of the whole process (under tsx: its loader thread included) and the heap
 * the one-thread miner used.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { idleSeconds, runQueueWait } from './run-queue.js';
import { groupingAccuracy, LABELLED_KINDS, labelledLines } from '../test/fixtures/logs/generators.js';

const n = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const regex = process.argv.includes('--regex');
const dist = process.argv.includes('--dist');
const kinds = Object.keys(LABELLED_KINDS);
const per = Math.ceil(n / kinds.length);
if (process.argv.includes('--generate')) {
  writeGenerated(process.argv[process.argv.indexOf('--generate') + 1]!);
  process.exit(0);
}
const lib = (name: string) => (dist ? `../dist/analyzer/${name}` : `../src/analyzer/${name}`);
const { DEFAULT_DRAIN, Drain } = (await import(lib('drain.js'))) as typeof import('../src/analyzer/drain.js');
const { createParallelMiner } = (await import(lib('drain-parallel.js'))) as typeof import('../src/analyzer/drain-parallel.js');
const { newReadStats } = (await import(lib('line-reader.js'))) as typeof import('../src/analyzer/line-reader.js');
const { defaultTimeOptions } = (await import(lib('timestamps.js'))) as typeof import('../src/analyzer/timestamps.js');
const { maskVariablesRegex } = (await import(lib('mask.js'))) as typeof import('../src/analyzer/mask.js');

// Generated in a child process, so this process's RSS holds the miner and a read buffer only.
const dir = mkdtempSync(path.join(tmpdir(), 'mcps-bench-templates-'));
execFileSync(process.execPath, [...process.execArgv, import.meta.filename, String(n), '--generate', dir], { stdio: 'inherit' });
const inputFile = path.join(dir, 'lines.txt');
const inputBytes = statSync(inputFile).size;
const labels = new Uint8Array(readFileSync(path.join(dir, 'labels.bin')));
const names = JSON.parse(readFileSync(path.join(dir, 'names.json'), 'utf8')) as string[];
const count = labels.length;
let peak = process.memoryUsage().rss;

/** Calls `onLine` with each line of the input file, read in 1 MB chunks into one reused buffer (as the log reader streams a file). */
function eachLine(onLine: (chunk: Buffer, from: number, to: number) => void): void {
  const fd = openSync(inputFile, 'r');
  const chunk = Buffer.allocUnsafe(1 << 20);
  let kept = 0;
  try {
    for (let read = readSync(fd, chunk, 0, chunk.length, null); read > 0; read = readSync(fd, chunk, kept, chunk.length - kept, null)) {
      const end = kept + read;
      let at = 0;
      for (let nl = chunk.indexOf(10, at); nl !== -1 && nl < end; nl = chunk.indexOf(10, at)) {
        onLine(chunk, at, nl);
        at = nl + 1;
      }
      kept = end - at;
      chunk.copy(chunk, 0, at, end);
    }
  } finally {
    closeSync(fd);
  }
}

interface Run {
  ids: Uint32Array;
  templates: number;
  seconds: number;
  cpuSeconds: number;
  /** Seconds this process's threads were runnable but waited for a core. */
  waited: number;
  /** The wall clock estimated for idle cores (idleSeconds). */
  idle: number;
}

/** Times `mine` (which gives each line's template number to `ids`): wall clock, CPU of all threads, run-queue wait. */
async function timed(mine: (ids: Uint32Array, sample: () => void) => Promise<number> | number): Promise<Run> {
  const ids = new Uint32Array(count);
  const wait0 = runQueueWait();
  let waits = wait0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
    waits = runQueueWait(wait0, waits);
  };
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const templates = await mine(ids, sample);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  sample();
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { ids, templates, seconds, cpuSeconds, waited: waits.total, idle: idleSeconds(waits, cpuSeconds, availableParallelism()) };
}

// As the miner reads a big file: masking on worker threads, Drain on this one. First, so its peak RSS is its own.
const par = regex ? null : await timed(async (ids, sample) => {
  const drain = new Drain(DEFAULT_DRAIN);
  const miner = createParallelMiner(drain);
  const stats = newReadStats();
  try {
    await miner.mineFile(inputFile, {
      format: 'raw', time: defaultTimeOptions(), stats,
      onEntry: (line, t) => {
        ids[line - 1] = Number(t!.id.slice(1));
        // Sampled while the workers run (they are gone at the end).
        if ((line & 0xffff) === 0) sample();
      },
    });
  } finally {
    await miner.close();
  }
  if (stats.lines !== count) throw new Error(`the parallel miner read ${stats.lines} lines, expected ${count}`);
  return drain.templates.length;
});
const parallelPeak = peak;

const decodeStart = process.hrtime.bigint();
eachLine((chunk, from, to) => chunk.toString('utf8', from, to));
const decodeSeconds = Number(process.hrtime.bigint() - decodeStart) / 1e9;
const heapBefore = process.memoryUsage().heapUsed;
let heapMiner = 0;
// One thread: each line decoded and given to Drain.add.
const one = await timed((ids, sample) => {
  const drain = new Drain(DEFAULT_DRAIN, undefined, regex ? maskVariablesRegex : undefined);
  let i = 0;
  eachLine((chunk, from, to) => {
    ids[i] = Number(drain.add(chunk.toString('utf8', from, to))!.id.slice(1));
    if ((i++ & 0xffff) === 0) sample();
  });
  if (i !== count) throw new Error(`read ${i} lines, expected ${count}`);
  heapMiner = process.memoryUsage().heapUsed - heapBefore;
  return drain.templates.length;
});
rmSync(dir, { recursive: true, force: true });
if (par) for (let k = 0; k < count; k++) if (par.ids[k] !== one.ids[k]) throw new Error(`line ${k}: template t${par.ids[k]} with worker threads, t${one.ids[k]} on one thread`);
const accuracy = groupingAccuracy(Array.from(labels, (l) => names[l]!), Array.from(one.ids, String));
const templates = kinds.reduce((t, k) => t + LABELLED_KINDS[k]!.length, 0);
const figures = (r: Run) => ({
  lines_per_second: Math.round(count / r.seconds),
  lines_per_cpu_second: Math.round(count / r.cpuSeconds),
  seconds: Number(r.seconds.toFixed(2)),
  // Cores this process used while mining (all threads; 1 = one whole core), and the seconds its threads were
  // runnable but waited for a core (on a shared machine: where the wall clock goes).
  cpu_cores_used: Number((r.cpuSeconds / r.seconds).toFixed(2)),
  run_queue_wait_s: Number(r.waited.toFixed(2)),
  // Estimated for idle cores from the CPU times measured (the busiest thread, or all CPU over the cores): an upper bound.
  idle_estimate_lines_per_second: Math.round(count / r.idle),
});
console.log(JSON.stringify({
  code: dist ? 'dist' : 'src (tsx)',
  masking: regex ? 'regex' : 'fast',
  load_average: loadavg().map((l) => Number(l.toFixed(1))),
  threads: availableParallelism(),
  lines: count,
  true_templates: templates,
  found_templates: one.templates,
  // As the miner runs a big file (masking on worker threads; the same template for every line as one thread).
  ...(par ? { worker_threads: figures(par), worker_threads_peak_rss_mb: Math.round(parallelPeak / 1024 / 1024) } : {}),
  // One thread, Drain.add per line.
  one_thread: figures(one),
  decode_only_seconds: Number(decodeSeconds.toFixed(2)),
  grouping_accuracy: Number(accuracy.toFixed(3)),
  peak_rss_mb: Math.round(peak / 1024 / 1024),
  input_mb: Math.round(inputBytes / 1024 / 1024),
  miner_heap_mb: Math.round(heapMiner / 1024 / 1024),
  note: 'one-thread seconds include decoding each line from the buffer (decode_only_seconds alone)',
}));

/** The labelled lines, interleaved as a real mixed stream would be: the text to `lines.txt`, a label per line to `labels.bin` (one byte each), their names to `names.json`. */
function writeGenerated(dir: string): void {
  const lines = kinds.flatMap((k, i) => labelledLines(k, per, 100 + i));
  lines.sort((a, b) => (a.text.length * 31 + a.text.charCodeAt(5)) % 97 - (b.text.length * 31 + b.text.charCodeAt(5)) % 97);
  const names: string[] = [];
  const index = new Map<string, number>();
  const labels = lines.map((l) => {
    let id = index.get(l.template);
    if (id === undefined) {
      id = names.push(l.template) - 1;
      index.set(l.template, id);
    }
    return id;
  });
  writeFileSync(path.join(dir, 'lines.txt'), lines.map((l) => `${l.text}\n`).join(''));
  writeFileSync(path.join(dir, 'labels.bin'), Uint8Array.from(labels));
  writeFileSync(path.join(dir, 'names.json'), JSON.stringify(names));
}
