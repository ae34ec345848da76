/**
 * The mine_templates tool's speed: the analyzer service's `templates` call (what the MCP tool, REST and the CLI run)
 * over the 1M-line labelled file of bench/templates.ts, one thread (the reader on the calling thread, as before
 * issue 14's change; `mining: { minBytes: Infinity }`) against worker threads (the default), side by side in the same
 * run, alternating, each call in a child process of its own so each has its own peak RSS.
 *   npx tsx bench/templates-tool.ts [lines=1000000] [--dist] [--rounds=2] [--threads=N]
 * `--dist` runs the built code (dist/, after `npx tsc -p tsconfig.build.json`), as `mcps` runs it: under tsx each
 * worker thread first compiles the TypeScript it loads. Reported per path: lines/s by wall clock, CPU s per 1M lines
 * (all threads of the process), the process's peak RSS; the results of both paths must be equal or the bench fails.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';

type Path = 'one_thread' | 'worker_threads';
interface Child {
  seconds: number;
  cpu_seconds: number;
  peak_rss_mb: number;
  /** RSS once the service is loaded, before the call. */
  start_rss_mb: number;
  entries: number;
  templates: number;
  result_sha1: string;
}

const args = process.argv.slice(2);
const dist = args.includes('--dist');
const threadsArg = args.find((a) => a.startsWith('--threads='));
if (args[0] === '--child') {
  console.log(JSON.stringify(await child(args[1] as Path, args[2]!)));
  process.exit(0);
}
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 2);
const here = path.dirname(import.meta.filename);
const dir = mkdtempSync(path.join(tmpdir(), 'mcps-bench-templates-tool-'));
try {
  execFileSync(process.execPath, [...process.execArgv, path.join(here, 'templates.ts'), String(n), '--generate', dir], { stdio: 'inherit' });
  const runs: Record<Path, Child[]> = { one_thread: [], worker_threads: [] };
  const load = [loadavg()[0]!];
  for (let r = 0; r < rounds; r++) {
    for (const p of ['one_thread', 'worker_threads'] as const) {
      const out = execFileSync(process.execPath, [...process.execArgv, import.meta.filename, '--child', p, dir, ...(dist ? ['--dist'] : []), ...(threadsArg ? [threadsArg] : [])], { encoding: 'utf8' });
      runs[p].push(JSON.parse(out.trim().split('\n').pop()!) as Child);
      load.push(loadavg()[0]!);
    }
  }
  const sums = new Set([...runs.one_thread, ...runs.worker_threads].map((c) => c.result_sha1));
  if (sums.size !== 1) throw new Error('mine_templates gave different results on one thread and on worker threads');
  const best = (p: Path) => runs[p].reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const figures = (p: Path) => ({
    lines_per_second: runs[p].map((c) => Math.round(n / c.seconds)),
    cpu_seconds_per_1m_lines: runs[p].map((c) => Number(((c.cpu_seconds * 1e6) / n).toFixed(2))),
    peak_rss_mb: runs[p].map((c) => c.peak_rss_mb),
    start_rss_mb: runs[p].map((c) => c.start_rss_mb),
  });
  console.log(JSON.stringify({
    code: dist ? 'dist' : 'src (tsx)',
    lines: n,
    threads: availableParallelism(),
    load_average_1m: load.map((l) => Number(l.toFixed(1))),
    entries: runs.one_thread[0]!.entries,
    templates: runs.one_thread[0]!.templates,
    one_thread: figures('one_thread'),
    worker_threads: figures('worker_threads'),
    // Per round (the same load for both), and the best of each path.
    speedup_per_round: runs.one_thread.map((o, i) => Number((o.seconds / runs.worker_threads[i]!.seconds).toFixed(2))),
    speedup_best: Number((best('one_thread').seconds / best('worker_threads').seconds).toFixed(2)),
  }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** One `templates` call of the analyzer service on the generated file, timed in this process. */
async function child(p: Path, dir: string): Promise<Child> {
  const lib = dist ? '../dist/analyzer/analyzer.service.js' : '../src/analyzer/analyzer.service.js';
  const { createAnalyzerService } = (await import(lib)) as typeof import('../src/analyzer/analyzer.service.js');
  const { templatesInput } = (await import(lib.replace('service', 'schema'))) as typeof import('../src/analyzer/analyzer.schema.js');
  const unused = () => Promise.reject(new Error('not used by the bench'));
  const analyzer = createAnalyzerService({
    roots: [dir], exportDir: dir, apiPrefix: '/api/v1',
    models: { get: unused, save: unused } as never, audit: { record: unused } as never,
    mining: p === 'one_thread' ? { minBytes: Infinity } : threadsArg ? { threads: Number(threadsArg.slice(10)) } : undefined,
  });
  const input = templatesInput.parse({ files: ['lines.txt'], limit: 100 });
  const startRss = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = await analyzer.templates(input, { actor: { type: 'cli', name: 'bench' } }, { onProgress: () => undefined });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return {
    seconds,
    cpu_seconds: (cpu.user + cpu.system) / 1e6,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    start_rss_mb: Math.round(startRss / 1024 / 1024),
    entries: result.entries,
    templates: result.total_templates,
    result_sha1: createHash('sha1').update(JSON.stringify(result)).digest('hex'),
  };
}
