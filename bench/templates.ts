/**
 * Template mining speed: lines/s of Drain over N generated labelled lines (all kinds mixed, 51
 * templates), with the grouping accuracy on the same lines and the peak RSS.
 *   npx tsx bench/templates.ts [lines=1000000] [--regex]
 * The lines are read from a file in 1 MB chunks (as the log reader streams a file) and each is decoded to a string in
 * the timed loop, as the log reader does; `--regex` masks with the defining regex instead of the fast path (the baseline).
 * Reported: lines/s by wall clock and by this process's CPU time (the machine may be shared), the peak RSS of the
 * whole process (under tsx: its loader thread included) and the heap the miner itself used.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_DRAIN, Drain } from '../src/analyzer/drain.js';
import { maskVariablesRegex } from '../src/analyzer/mask.js';
import { groupingAccuracy, LABELLED_KINDS, labelledLines } from '../test/fixtures/logs/generators.js';

const n = Number(process.argv[2] ?? 1_000_000);
const regex = process.argv.includes('--regex');
const kinds = Object.keys(LABELLED_KINDS);
const per = Math.ceil(n / kinds.length);
if (process.argv.includes('--generate')) {
  writeGenerated(process.argv[process.argv.indexOf('--generate') + 1]!);
  process.exit(0);
}
// Generated in a child process, so this process's RSS holds the miner and a read buffer only.
const dir = mkdtempSync(path.join(tmpdir(), 'mcps-bench-templates-'));
execFileSync(process.execPath, [...process.execArgv, import.meta.filename, String(n), '--generate', dir], { stdio: 'inherit' });
const inputFile = path.join(dir, 'lines.txt');
const inputBytes = statSync(inputFile).size;
const labels = new Uint8Array(readFileSync(path.join(dir, 'labels.bin')));
const names = JSON.parse(readFileSync(path.join(dir, 'names.json'), 'utf8')) as string[];

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

const decodeStart = process.hrtime.bigint();
eachLine((chunk, from, to) => chunk.toString('utf8', from, to));
const decodeSeconds = Number(process.hrtime.bigint() - decodeStart) / 1e9;
const heapBefore = process.memoryUsage().heapUsed;
let peak = process.memoryUsage().rss;
const drain = new Drain(DEFAULT_DRAIN, undefined, regex ? maskVariablesRegex : undefined);
const count = labels.length;
const ids = new Uint32Array(count);
const cpu0 = process.cpuUsage();
const start = process.hrtime.bigint();
let i = 0;
eachLine((chunk, from, to) => {
  ids[i] = Number(drain.add(chunk.toString('utf8', from, to))!.id.slice(1));
  if ((i++ & 0xffff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
});
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
peak = Math.max(peak, process.memoryUsage().rss);
const heapMiner = process.memoryUsage().heapUsed - heapBefore;
rmSync(dir, { recursive: true, force: true });
if (i !== count) throw new Error(`read ${i} lines, expected ${count}`);
const accuracy = groupingAccuracy(Array.from(labels, (l) => names[l]!), Array.from(ids, String));
const templates = kinds.reduce((t, k) => t + LABELLED_KINDS[k]!.length, 0);
console.log(JSON.stringify({
  masking: regex ? 'regex' : 'fast',
  load_average: loadavg().map((l) => Number(l.toFixed(1))),
  // The share of one core this process got while mining (1 on an idle machine): lines/s ÷ lines per CPU second.
  cpu_share: Number((cpuSeconds / seconds).toFixed(2)),
  lines: count,
  true_templates: templates,
  found_templates: drain.templates.length,
  lines_per_second: Math.round(count / seconds),
  lines_per_cpu_second: Math.round(count / cpuSeconds),
  seconds: Number(seconds.toFixed(2)),
  decode_only_seconds: Number(decodeSeconds.toFixed(2)),
  grouping_accuracy: Number(accuracy.toFixed(3)),
  peak_rss_mb: Math.round(peak / 1024 / 1024),
  input_mb: Math.round(inputBytes / 1024 / 1024),
  miner_heap_mb: Math.round(heapMiner / 1024 / 1024),
  note: 'seconds include decoding each line from the buffer (decode_only_seconds alone)',
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
