import type { Drain, Template } from './drain.js';
import { createParallelMiner, type ParallelMiner, type ParallelMinerOptions } from './drain-parallel.js';
import { detectSourceFormat, type LogSource, type ReadOptions, type SourceInfo } from './entries.js';
import { compileFilter, isNoFilter, type EntryFilter } from './filters.js';
import { isGzip, newReadStats, type ReadStats } from './line-reader.js';
import { scanInto, type ScanSummary } from './scan.js';

/**
 * Files at least this big are mined on worker threads (as analyze_logs: PARALLEL_MIN_BYTES). The threads cost a fixed
 * ~0.2 s of CPU to start (bench: two threads loading the reader and masking code) and ~0.2 s more while their code
 * warms up, and save about a quarter of the one-thread time on two idle cores (bench/templates.ts on a quiet machine:
 * 663k against 476k lines/s): they break even near 1 s of one-thread mining, some 16-20 MB of log (bench/templates-tool.ts 200000: CPU 0.9 s one thread against 1.3-1.6 s, wall clock even;
 * 100000 lines, 8.6 MB: threads slower per CPU by 0.4 s). See docs/benchmarks.md.
 */
export const MINE_PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

export interface MineSourcesOptions extends ParallelMinerOptions {
  /** Files at least this big go to the threads (default MINE_PARALLEL_MIN_BYTES). */
  minBytes?: number;
}

type OnEntry = (line: number, source: string, t: Template | null) => void;

/**
 * Mines every source's entries into `drain` in order, with the summary `scan` gives: a big plain file with no filter
 * goes to worker threads (drain-parallel.ts: the same entries, templates and counts), the rest (gzip, inline text,
 * small files, any filter) is read on this thread through `scan`.
 */
export async function mineSources(sources: LogSource[], opt: ReadOptions, filter: EntryFilter, drain: Drain, onEntry: OnEntry, o: MineSourcesOptions = {}): Promise<ScanSummary> {
  const read = newReadStats();
  const infos: SourceInfo[] = [];
  const test = compileFilter(filter, opt.time);
  const threaded = isNoFilter(filter);
  const sum = { entries: 0, matched: 0 };
  let miner: ParallelMiner | null = null;
  try {
    for (const source of sources) {
      if (threaded && (await worthThreads(source, o.minBytes ?? MINE_PARALLEL_MIN_BYTES))) {
        miner ??= createParallelMiner(drain, o);
        const n = await mineFile(miner, source as FileSource, opt, read, infos, onEntry);
        sum.entries += n;
        sum.matched += n;
      } else {
        const r = await scanInto([source], opt, test, (e) => onEntry(e.line, e.source, drain.add(e.message, e.ts)), read, infos);
        sum.entries += r.entries;
        sum.matched += r.matched;
      }
    }
  } finally {
    await miner?.close();
  }
  return { sources: infos, read, ...sum };
}

type FileSource = Extract<LogSource, { kind: 'file' }>;

async function worthThreads(s: LogSource, minBytes: number): Promise<boolean> {
  return s.kind === 'file' && !s.part && s.file.size >= minBytes && !(await isGzip(s.file.path));
}

/** One file through the miner, counted into the read stats and source infos as readEntries counts it. */
async function mineFile(miner: ParallelMiner, source: FileSource, opt: ReadOptions, read: ReadStats, infos: SourceInfo[], onEntry: OnEntry): Promise<number> {
  const name = source.file.name;
  const format = opt.format ?? (await detectSourceFormat(source, opt));
  const info: SourceInfo = { name, format, bytes: 0, lines: 0 };
  infos.push(info);
  const before = { bytes: read.bytes, lines: read.lines };
  const entries = await miner.mineFile(source.file.path, {
    format, time: opt.time, stats: read, signal: opt.signal, onBytes: opt.onBytes, onEntry: (line, t) => onEntry(line, name, t),
  });
  info.bytes = read.bytes - before.bytes;
  info.lines = read.lines - before.lines;
  return entries;
}
