import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorkerRunner, type WorkerRunner } from '../lib/worker-call.js';
import type { Drain, Template } from './drain.js';
import type { MaskedChunk } from './mask-worker.js';

const WORKER = new URL(`./mask-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;
const CHUNK_BYTES = 1 << 20;
/** Masked texts a worker names before its numbering starts over. */
const DICT_MAX = 100_000;

export interface ParallelMineOptions {
  /** Masking threads (capped at os.availableParallelism()). */
  threads?: number;
  /** Bytes read per chunk (tests make it small). */
  chunkBytes?: number;
  /** Masked texts a worker names before starting over (tests make it small). */
  dictMax?: number;
  /** Called with each line (0-based) and the template it joined, in input order. */
  onLine?: (line: number, t: Template | null) => void;
}

/** One worker's numbering, as the mining thread knows it: the masked text of each number, and its template once placed. */
interface Names {
  texts: string[];
  templates: (Template | undefined)[];
  /** drain.seenEpoch when the template was noted (stale after Drain clears its cache). */
  epochs: number[];
}

/**
 * Mines the lines of a file (split at newlines, each decoded as UTF-8, as Drain.add takes them) into `drain`, with
 * the masking (most of the work per line) on worker threads: chunks of the file go to the workers in turn, each
 * worker masks its chunk's lines and names their masked texts by numbers, and this thread feeds the lines to Drain
 * in file order by those numbers. A line whose masked text this thread placed before (and Drain has not forgotten:
 * `seenEpoch`) is counted without any string; the rest go through `Drain.addMasked`. The templates, counts and
 * examples are those of `drain.add` over each line in order (drain-parallel.test.ts compares them).
 */
export async function mineFileParallel(file: string, drain: Drain, o: ParallelMineOptions = {}): Promise<{ lines: number; bytes: number }> {
  const threads = Math.max(1, Math.min(o.threads ?? availableParallelism(), availableParallelism()));
  const chunkBytes = o.chunkBytes ?? CHUNK_BYTES;
  const dictMax = o.dictMax ?? DICT_MAX;
  const runners: WorkerRunner[] = Array.from({ length: threads }, () => createWorkerRunner(WORKER, { name: 'template masking worker' }));
  const names: Names[] = runners.map(() => ({ texts: [], templates: [], epochs: [] }));
  const fh = await open(file, 'r');
  const pending: { chunk: Buffer; worker: number; masked: Promise<MaskedChunk> }[] = [];
  let carry = Buffer.alloc(0);
  let sent = 0;
  let line = 0;
  let bytes = 0;
  let eof = false;
  /** The next chunk: whole lines (the last one given a newline at the end of the file), or null at the end. */
  const nextChunk = async (): Promise<Buffer | null> => {
    while (!eof) {
      const buf = Buffer.allocUnsafe(carry.length + chunkBytes);
      carry.copy(buf);
      const { bytesRead } = await fh.read(buf, carry.length, chunkBytes, null);
      bytes += bytesRead;
      const end = carry.length + bytesRead;
      if (bytesRead === 0) {
        eof = true;
        if (end === 0) return null;
        buf[end] = 10;
        carry = Buffer.alloc(0);
        return buf.subarray(0, end + 1);
      }
      const last = buf.lastIndexOf(10, end - 1);
      if (last === -1) {
        carry = Buffer.from(buf.subarray(0, end));
        continue;
      }
      carry = Buffer.from(buf.subarray(last + 1, end));
      return buf.subarray(0, last + 1);
    }
    return null;
  };
  const send = async (): Promise<boolean> => {
    const chunk = await nextChunk();
    if (!chunk) return false;
    const worker = sent % threads;
    pending.push({ chunk, worker, masked: runners[worker]!.call<MaskedChunk>('maskChunk', [chunk, sent < threads, dictMax]) });
    sent++;
    return true;
  };
  try {
    // Two chunks per worker in flight: a worker has the next one while this thread takes in its last.
    while (pending.length < 2 * threads && (await send()));
    while (pending.length) {
      const { chunk, worker, masked } = pending.shift()!;
      const m = await masked;
      await send();
      line = feed(drain, chunk, m, names[worker]!, line, o.onLine);
    }
  } finally {
    await fh.close();
    await Promise.all(runners.map((r) => r.close()));
  }
  return { lines: line, bytes };
}

/** Feeds one masked chunk's lines to Drain; returns the number of the next line. */
function feed(drain: Drain, chunk: Buffer, m: MaskedChunk, n: Names, line: number, onLine: ParallelMineOptions['onLine']): number {
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
  const { ids, ends } = m;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    let t: Template | null | undefined = n.templates[id];
    if (t !== undefined && n.epochs[id] === drain.seenEpoch) drain.hit(t);
    else {
      const from = i === 0 ? 0 : ends[i - 1]! + 1;
      const to = ends[i]!;
      t = drain.addMasked(n.texts[id]!, () => chunk.toString('utf8', from, to));
      n.templates[id] = t ?? undefined;
      n.epochs[id] = drain.seenEpoch;
    }
    onLine?.(line, t);
    line++;
  }
  return line;
}
