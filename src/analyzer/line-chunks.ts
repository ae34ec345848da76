import { open } from 'node:fs/promises';
import { MAX_LINE_BYTES } from './line-reader.js';

/** Bytes read at once. */
export const READ_BYTES = 1 << 20;

export interface LineChunk {
  /** Whole lines, each ending with a newline (one is added to a last line that has none). */
  chunk: Buffer;
  /** The buffer the chunk lies in: give it back to the pool once the chunk is no longer needed. */
  block: Buffer;
  /** Bytes of the file read so far. */
  bytesRead: number;
}

/** Read buffers used again once their chunk has been handled, so a run allocates a few of them, not one per chunk. */
export class BlockPool {
  private readonly free: Buffer[] = [];
  constructor(readonly size: number, private readonly max: number) {}

  get(min: number): Buffer {
    return (min <= this.size && this.free.pop()) || Buffer.allocUnsafe(Math.max(min, this.size));
  }

  put(block: Buffer): void {
    if (block.length === this.size && this.free.length < this.max) this.free.push(block);
  }
}

/** Room in a pooled block for the partial line before a chunk (a longer one gets a block of its own). */
export const CARRY_ROOM = 65_536;

/** What a line longer than the limit is kept as. */
const KEPT = MAX_LINE_BYTES + 1;

/**
 * A plain file's lines in chunks of whole lines, for threads that split them themselves (template masking). A line
 * longer than MAX_LINE_BYTES is kept as its first MAX_LINE_BYTES + 1 bytes (still over the limit, so the reader's rule
 * cuts it at MAX_LINE_BYTES and counts it; the rest is skipped), so memory stays bounded whatever the file holds.
 * Each chunk is read into a block of `pool` after the partial line the last one left.
 */
export async function* lineChunks(file: string, readBytes = READ_BYTES, pool = new BlockPool(readBytes + CARRY_ROOM, 4)): AsyncGenerator<LineChunk> {
  const fh = await open(file, 'r');
  let carry = Buffer.alloc(0);
  let skipping = false;
  let bytesRead = 0;
  try {
    for (;;) {
      const block = pool.get(carry.length + readBytes);
      carry.copy(block);
      const { bytesRead: n } = await fh.read(block, carry.length, readBytes, null);
      if (n === 0) {
        pool.put(block);
        break;
      }
      bytesRead += n;
      let end = carry.length + n;
      if (skipping) {
        const nl = block.indexOf(10, carry.length);
        if (nl === -1 || nl >= end) {
          pool.put(block);
          continue;
        }
        block.copy(block, carry.length, nl, end);
        end -= nl - carry.length;
        skipping = false;
      }
      const last = block.lastIndexOf(10, end - 1);
      if (last === -1) {
        carry = Buffer.from(block.subarray(0, Math.min(end, KEPT)));
        skipping = end > KEPT;
        pool.put(block);
        continue;
      }
      const over = Math.max(0, block.indexOf(10) - KEPT);
      if (over) block.copy(block, KEPT, KEPT + over, end);
      carry = Buffer.from(block.subarray(last + 1 - over, end - over));
      yield { chunk: block.subarray(0, last + 1 - over), block, bytesRead };
    }
    if (carry.length) {
      const chunk = Buffer.concat([carry, Buffer.from('\n')]);
      yield { chunk, block: chunk, bytesRead };
    }
  } finally {
    await fh.close();
  }
}
