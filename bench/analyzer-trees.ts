/**
 * The same measurements on two source trees (e.g. before and after a change), side by side in one run:
 * template mining (lines/s on the generated labelled lines, each line decoded from a buffer as the reader does) and
 * analyze_logs (MB/s on a generated `timestamp level message` file, with `LC_ALL=C grep -c ERROR` on the same file).
 *   mkdir /tmp/before && git archive <commit> src test/fixtures package.json tsconfig.json | tar -x -C /tmp/before && ln -s $PWD/node_modules /tmp/before/
 *   npx tsx bench/analyzer-trees.ts /tmp/before . [lines=1000000] [megabytes=128] [rounds=2]
 * Each figure is given by wall clock and by CPU time of this process (the machine may be shared).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LABELLED_KINDS, labelledLines } from '../test/fixtures/logs/generators.js';

const [before, after] = [path.resolve(process.argv[2]!), path.resolve(process.argv[3]!)];
const lines = Number(process.argv[4] ?? 1_000_000);
const mb = Number(process.argv[5] ?? 128);
const rounds = Number(process.argv[6] ?? 2);
const dir = mkdtempSync(path.join(tmpdir(), 'mcps-bench-trees-'));

async function timed<T>(run: () => T | Promise<T>): Promise<{ result: T; wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = await run();
  const c = process.cpuUsage(c0);
  return { result, wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (c.user + c.system) / 1e6 };
}

async function writeLines(file: string, make: (i: number) => string, until: (i: number, bytes: number) => boolean): Promise<void> {
  const out = createWriteStream(file);
  let bytes = 0;
  for (let i = 0; !until(i, bytes); ) {
    let chunk = '';
    for (let j = 0; j < 1000; j++, i++) chunk += `${make(i)}\n`;
    bytes += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

// Template mining input: the labelled lines of bench/templates.ts, interleaved the same way.
const kinds = Object.keys(LABELLED_KINDS);
const labelled = kinds.flatMap((k, i) => labelledLines(k, Math.ceil(lines / kinds.length), 100 + i));
labelled.sort((a, b) => (a.text.length * 31 + a.text.charCodeAt(5)) % 97 - (b.text.length * 31 + b.text.charCodeAt(5)) % 97);
const linesFile = path.join(dir, 'lines.txt');
await writeLines(linesFile, (i) => labelled[i]!.text, (i) => i >= labelled.length);
labelled.length = 0;
// analyze_logs input: bench/analyzer.ts's file.
const pool = kinds.flatMap((k, i) => labelledLines(k, 4000, i).map((l) => l.text));
const levels = ['INFO', 'INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'];
const logFile = path.join(dir, 'app.log');
await writeLines(logFile, (i) => `${new Date(Date.UTC(2024, 2, 1) + i * 10).toISOString()} ${levels[i % 7]} ${pool[i % pool.length]}`, (_i, bytes) => bytes >= mb * 1024 * 1024);
const size = readFileSync(logFile).length / 1024 / 1024;

const input = readFileSync(linesFile);
const rows: Record<string, unknown>[] = [];
for (let r = 0; r < rounds; r++) {
  for (const [name, root] of [['before', before], ['after', after]] as const) {
    const { Drain, DEFAULT_DRAIN } = (await import(path.join(root, 'src/analyzer/drain.ts'))) as typeof import('../src/analyzer/drain.js');
    const drain = new Drain(DEFAULT_DRAIN);
    const mine = await timed(() => {
      let n = 0;
      for (let at = 0; at < input.length; ) {
        const nl = input.indexOf(10, at);
        drain.add(input.toString('utf8', at, nl));
        at = nl + 1;
        n++;
      }
      return n;
    });
    const { analyzeLogs } = (await import(path.join(root, 'src/analyzer/analyze.ts'))) as typeof import('../src/analyzer/analyze.js');
    const { resolveLogFiles } = (await import(path.join(root, 'src/analyzer/log-inputs.ts'))) as typeof import('../src/analyzer/log-inputs.js');
    const { defaultTimeOptions } = (await import(path.join(root, 'src/analyzer/timestamps.ts'))) as typeof import('../src/analyzer/timestamps.js');
    const [file] = await resolveLogFiles([logFile], [dir]);
    const analyze = await timed(() => analyzeLogs([{ kind: 'file', file: file! }], { time: defaultTimeOptions() }, { filter: {}, topErrors: 10 }));
    const grep = spawnSync('bash', ['-c', 'TIMEFORMAT="%R %U %S"; time grep -c ERROR "$0"', logFile], { env: { ...process.env, LC_ALL: 'C' } });
    const [gw, gu, gs] = grep.stderr.toString().trim().split('\n').pop()!.split(' ').map(Number);
    rows.push({
      round: r + 1,
      tree: name,
      templates_lines_per_s: Math.round(mine.result / mine.wall),
      templates_lines_per_cpu_s: Math.round(mine.result / mine.cpu),
      templates_found: drain.templates.length,
      analyze_mb_per_s: Number((size / analyze.wall).toFixed(1)),
      analyze_mb_per_cpu_s: Number((size / analyze.cpu).toFixed(1)),
      grep_mb_per_s: Number((size / gw!).toFixed(1)),
      ratio_to_grep: Number((gw! / analyze.wall).toFixed(3)),
      ratio_to_grep_cpu: Number((gu! + gs!) / analyze.cpu).toFixed(3),
      errors: analyze.result.levels.error,
    });
    console.log(JSON.stringify(rows[rows.length - 1]));
  }
}
rmSync(dir, { recursive: true, force: true });
