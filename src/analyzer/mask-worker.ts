import { maskMessage } from './drain.js';
import { entryStart } from './entry-start.js';
import type { LogFormat } from './formats.js';
import { lineTextAt, lineTextEnd, MAX_LINE_BYTES, newReadStats } from './line-reader.js';
import { maskedHash, MaskedMap, maskedString } from './masked-map.js';
import type { TimeOptions } from './timestamps.js';

/**
 * Entry point run in a worker thread by drain-parallel.ts (via lib/worker-call.ts): reads the lines of a chunk as the
 * log reader does (line-reader.ts: CR dropped, cut at MAX_LINE_BYTES, invalid UTF-8 counted), finds the entries as
 * readEntries does (entry-start.ts), masks each entry's message as `Drain.add` would, and names each distinct masked
 * text by a number, so the mining thread gets one integer per entry and each masked text once. The numbers are this
 * thread's: a dictionary that grows past `dictMax` texts starts over at the next chunk (`reset`), so it stays bounded.
 */

/** How to read a chunk's lines. */
export interface ChunkSpec {
  format: LogFormat;
  time: TimeOptions;
  /** The chunk starts its source: its first line starts an entry whatever it holds. */
  first: boolean;
  /** Start the numbering over (the first chunk this thread gets in a run). */
  reset: boolean;
  dictMax: number;
}

export interface MaskedChunk {
  /** Per entry: the number of its masked message, its time (NaN: none), its line (index in the chunk), its text's bytes [start, end). */
  ids: Int32Array;
  ts: Float64Array;
  lineOf: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
  /** Masked texts first seen in this chunk, in the order of their numbers (they follow the ones before). */
  added: string[];
  /** The numbering started over (at 0) with this chunk. */
  reset: boolean;
  /** Lines read, lines cut, lines not valid UTF-8. */
  lines: number;
  cutLines: number;
  invalidUtf8Lines: number;
}

const byText = new MaskedMap<number>();

/** Reads and masks the entries of `chunk` (whole lines, each ending with a newline). */
export function maskChunk(chunk: Uint8Array, spec: ChunkSpec): MaskedChunk {
  const reset = spec.reset || byText.size >= spec.dictMax;
  if (reset) byText.clear();
  const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const lines = countLines(b);
  const out = { ids: new Int32Array(lines), ts: new Float64Array(lines), lineOf: new Int32Array(lines), starts: new Int32Array(lines), ends: new Int32Array(lines) };
  const added: string[] = [];
  const stats = newReadStats();
  let entries = 0;
  let at = 0;
  for (let i = 0; i < lines; i++) {
    const nl = b.indexOf(10, at);
    const cut = nl - at > MAX_LINE_BYTES;
    const end = lineTextEnd(b, at, nl, cut);
    const text = lineTextAt(b, at, end, stats, cut);
    const entry = entryStart(text, spec.format, spec.time, spec.first && i === 0);
    if (entry) {
      out.ids[entries] = numberOf(entry.message, added);
      out.ts[entries] = entry.ts ?? NaN;
      out.lineOf[entries] = i;
      out.starts[entries] = at;
      out.ends[entries++] = end;
    }
    at = nl + 1;
  }
  // Copied only when some lines continued an entry (a view would send its whole buffer).
  const fit = <A extends Int32Array | Float64Array>(a: A): A => (entries === lines ? a : (a.slice(0, entries) as A));
  return {
    ids: fit(out.ids), ts: fit(out.ts), lineOf: fit(out.lineOf), starts: fit(out.starts), ends: fit(out.ends),
    added, reset, lines, cutLines: stats.cutLines, invalidUtf8Lines: stats.invalidUtf8Lines,
  };
}

function countLines(b: Buffer): number {
  let lines = 0;
  for (let nl = b.indexOf(10); nl !== -1; nl = b.indexOf(10, nl + 1)) lines++;
  return lines;
}

/** The number of the message's masked text (a new one added to `added`). */
function numberOf(message: string, added: string[]): number {
  const n = maskMessage(message);
  const h = maskedHash(n);
  let id = byText.get(n, h);
  if (id === undefined) {
    id = byText.size;
    const text = maskedString(n);
    byText.set(h, text, id);
    added.push(text);
  }
  return id;
}
