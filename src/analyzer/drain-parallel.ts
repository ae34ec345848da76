import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../http/app-error.js';
import { createWorkerRunner, type WorkerRunner } from '../lib/worker-call.js';
import type { Drain, Template } from './drain.js';
import { entryStart } from './entry-start.js';
import type { LogFormat } from './formats.js';
import { BlockPool, CARRY_ROOM, lineChunks, READ_BYTES } from './line-chunks.js';
import type { ReadStats } from './line-reader.js';
import type { ChunkSpec, MaskedChunk } from './mask-worker.js';
import type { TimeOptions } from './timestamps.js';

const WORKER = new URL(`./mask-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;
/**
 * A worker's strings live for one chunk: a 4 MB young generation holds them (the default grows to 48 MB per thread)
 * and costs no measurable CPU (bench/templates-tool.ts: peak RSS 156-161 MB -> 143-144 MB, CPU 3.1 s both).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 };
/**
 * Masking threads by default (at most os.availableParallelism()): Drain's thread takes each entry in turn, so past a few
 * threads it is the bottleneck, and each thread adds ~20 MB of RSS.
 */
const DEFAULT_THREADS = 4;
/** Masked texts a worker names before its numbering starts over. */
const DICT_MAX = 100_000;

export interface ParallelMinerOptions {
  /** Masking threads (default 4; capped at os.availableParallelism()). */
  threads?: number;
  /** Bytes read per chunk (tests make it small). */
  chunkBytes?: number;
  /** Masked texts a worker names before starting over (tests make it small). */
  dictMax?: number;
}

export interface MineFileOptions {
  format: LogFormat;
  time: TimeOptions;
  /** Added to as the log reader adds to it (bytes, lines, cut lines, invalid UTF-8). */
  stats: ReadStats;
  signal?: AbortSignal | undefined;
  /** Called after each chunk with stats.bytes. */
  onBytes?: ((bytes: number) => void) | undefined;
  /** Called with each entry's first line (1-based) and the template it joined, in file order. */
  onEntry?: ((line: number, t: Template | null) => void) | undefined;
}

export interface ParallelMiner {
  /** Mines the entries of a plain (not gzip) file into the drain; returns how many there were. */
  mineFile(file: string, o: MineFileOptions): Promise<number>;
  /** Ends the threads. */
  close(): Promise<void>;
}

/** One worker's numbering, as the mining thread knows it: the masked text of each number, and its template once placed. */
interface Names {
  texts: string[];
  templates: (Template | undefined)[];
  /** drain.seenEpoch when the template was noted (stale after Drain clears its cache). */
  epochs: number[];
  /** This worker has had a chunk (its numbering runs on from there). */
  started: boolean;
}

interface InFlight {
  chunk: Buffer;
  block: Buffer;
  worker: number;
  bytesRead: number;
  first: boolean;
  masked: Promise<MaskedChunk>;
}

/**
 * Mines files into `drain` with the reading and masking (most of the work per entry) on worker threads: chunks of a
 * file go to the workers in turn, each worker reads its chunk's lines and entries as the log reader does and names the
 * entries' masked messages by numbers, and this thread feeds the entries to Drain in file order by those numbers. An
 * entry whose masked text this thread placed before (and Drain has not forgotten: `seenEpoch`) is counted without any
 * string; the rest go through `Drain.addMasked`. The result is that of `drain.add(e.message, e.ts)` over the entries
 * readEntries gives (drain-parallel.test.ts, templates.parallel.test.ts). The threads start on the first file.
 */
export function createParallelMiner(drain: Drain, o: ParallelMinerOptions = {}): ParallelMiner {
  const threads = Math.max(1, Math.min(o.threads ?? DEFAULT_THREADS, availableParallelism()));
  const dictMax = o.dictMax ?? DICT_MAX;
  const chunkBytes = o.chunkBytes ?? READ_BYTES;
  // The chunks in flight, the one being fed and the one being read.
  const pool = new BlockPool(chunkBytes + CARRY_ROOM, 2 * threads + 2);
  const runners: WorkerRunner[] = [];
  const names: Names[] = [];
  const close = () => Promise.all(runners.map((r) => r.close())).then(() => undefined);
  const startWorkers = () => {
    for (let i = runners.length; i < threads; i++) {
      runners.push(createWorkerRunner(WORKER, { name: 'template masking worker', resourceLimits: WORKER_LIMITS }));
      names.push({ texts: [], templates: [], epochs: [], started: false });
    }
  };

  async function mineFile(file: string, f: MineFileOptions): Promise<number> {
    if (f.signal?.aborted) throw cancelled();
    startWorkers();
    const stop = () => void close();
    f.signal?.addEventListener('abort', stop, { once: true });
    const chunks = lineChunks(file, chunkBytes, pool);
    const pending: InFlight[] = [];
    let sent = 0;
    const send = async (): Promise<boolean> => {
      const next = await chunks.next();
      if (next.done) return false;
      const worker = sent % threads;
      const n = names[worker]!;
      const spec: ChunkSpec = { format: f.format, time: f.time, first: sent === 0, reset: !n.started, dictMax };
      n.started = true;
      const masked = runners[worker]!.call<MaskedChunk>('maskChunk', [next.value.chunk, spec]);
      // Awaited in turn; one that fails while an earlier one is awaited must not be an unhandled rejection.
      masked.catch(() => undefined);
      pending.push({ chunk: next.value.chunk, block: next.value.block, worker, bytesRead: next.value.bytesRead, first: spec.first, masked });
      sent++;
      return true;
    };
    const fed = { line: 0, entries: 0, bytesBefore: f.stats.bytes };
    try {
      // Two chunks per worker in flight: a worker has the next one while this thread takes in its last.
      while (pending.length < 2 * threads && (await send()));
      while (pending.length) {
        const p = pending.shift()!;
        const m = await p.masked;
        if (f.signal?.aborted) throw cancelled();
        await send();
        feed(drain, p, m, names[p.worker]!, f, fed);
        pool.put(p.block);
      }
    } catch (err) {
      throw f.signal?.aborted ? cancelled() : err;
    } finally {
      f.signal?.removeEventListener('abort', stop);
      await chunks.return(undefined);
      if (f.signal?.aborted) await close();
    }
    return fed.entries;
  }

  return { mineFile, close };
}

const cancelled = () => new AppError('bad_request', 'cancelled');

/** Feeds one masked chunk's entries to Drain and its counts to the stats. */
function feed(drain: Drain, p: InFlight, m: MaskedChunk, n: Names, f: MineFileOptions, fed: { line: number; entries: number; bytesBefore: number }): void {
  if (m.reset) {
    n.texts.length = 0;
    n.templates.length = 0;
    n.epochs.length = 0;
  }
  for (const text of m.added) {
    n.texts.push(text);
    n.templates.push(undefined);
    n.epochs.push(-1);
  }
  const { ids, ts } = m;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const at = Number.isNaN(ts[i]) ? null : ts[i]!;
    let t: Template | null | undefined = n.templates[id];
    if (t !== undefined && n.epochs[id] === drain.seenEpoch) drain.hit(t, at);
    else {
      t = drain.addMasked(n.texts[id]!, () => messageOf(p, m, i, f), at);
      n.templates[id] = t ?? undefined;
      n.epochs[id] = drain.seenEpoch;
    }
    f.onEntry?.(fed.line + m.lineOf[i]! + 1, t);
  }
  fed.line += m.lines;
  fed.entries += ids.length;
  f.stats.lines += m.lines;
  f.stats.cutLines += m.cutLines;
  f.stats.invalidUtf8Lines += m.invalidUtf8Lines;
  f.stats.bytes = fed.bytesBefore + p.bytesRead;
  f.onBytes?.(f.stats.bytes);
}

/** The message of entry i (the worker sent its masked text only): for the example of a template it starts. */
function messageOf(p: InFlight, m: MaskedChunk, i: number, f: MineFileOptions): string {
  const text = p.chunk.toString('utf8', m.starts[i], m.ends[i]);
  return entryStart(text, f.format, f.time, p.first && m.lineOf[i] === 0)!.message;
}
