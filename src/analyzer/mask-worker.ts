import { maskMessage } from './drain.js';
import { maskedHash, MaskedMap, maskedString } from './masked-map.js';

/**
 * Entry point run in a worker thread by drain-parallel.ts (via lib/worker-call.ts): masks the lines of a chunk as
 * `Drain.add` would, and names each distinct masked text by a number, so the mining thread gets one integer per line
 * and each masked text once. The numbers are this thread's: a dictionary that grows past `dictMax` texts starts over
 * at the next chunk (`reset`), so it stays bounded.
 */

export interface MaskedChunk {
  /** Offset of each line's newline in the chunk (the line starts after the previous one). */
  ends: Int32Array;
  /** The number of each line's masked text. */
  ids: Int32Array;
  /** Masked texts first seen in this chunk, in the order of their numbers (they follow the ones before). */
  added: string[];
  /** The numbering started over (at 0) with this chunk. */
  reset: boolean;
}

const byText = new MaskedMap<number>();

/** Masks each line of `chunk` (every line ends with a newline); `first`: the first chunk of a run (the numbering starts over). */
export function maskChunk(chunk: Uint8Array, first: boolean, dictMax: number): MaskedChunk {
  const reset = first || byText.size >= dictMax;
  if (reset) byText.clear();
  const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let lines = 0;
  for (let nl = b.indexOf(10); nl !== -1; nl = b.indexOf(10, nl + 1)) lines++;
  const ends = new Int32Array(lines);
  const ids = new Int32Array(lines);
  const added: string[] = [];
  let at = 0;
  for (let i = 0; i < lines; i++) {
    const nl = b.indexOf(10, at);
    const n = maskMessage(b.toString('utf8', at, nl));
    const h = maskedHash(n);
    let id = byText.get(n, h);
    if (id === undefined) {
      id = byText.size;
      const text = maskedString(n);
      byText.set(h, text, id);
      added.push(text);
    }
    ends[i] = nl;
    ids[i] = id;
    at = nl + 1;
  }
  return { ends, ids, added, reset };
}
