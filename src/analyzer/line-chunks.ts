import { open } from 'node:fs/promises';
import { MAX_LINE_BYTES } from './line-reader.js';

/** Bytes read at once. */
const READ_BYTES = 1 << 20;

export interface LineChunk {
  /** Whole lines, each ending with a newline (one is added to a last line that has none). */
  chunk: Buffer;
  /** Bytes of the file read so far. */
  bytesRead: number;
}

/**
 * A plain file's lines in chunks of whole lines, for threads that split them themselves (template masking). A line
 * longer than MAX_LINE_BYTES is kept as its first MAX_LINE_BYTES + 1 bytes (still over the limit, so the reader's rule
 * cuts it at MAX_LINE_BYTES and counts it; the rest is skipped), so memory stays bounded whatever the file holds.
 */
export async function* lineChunks(file: string, readBytes = READ_BYTES): AsyncGenerator<LineChunk> {
  const fh = await open(file, 'r');
  const partial = { bytes: Buffer.alloc(0), skipping: false };
  let bytesRead = 0;
  try {
    for (;;) {
      const block = Buffer.allocUnsafe(readBytes);
      const { bytesRead: n } = await fh.read(block, 0, readBytes, null);
      if (n === 0) break;
      bytesRead += n;
      const chunk = wholeLines(block.subarray(0, n), partial);
      if (chunk) yield { chunk, bytesRead };
    }
    if (partial.bytes.length) yield { chunk: Buffer.concat([partial.bytes, NEWLINE]), bytesRead };
  } finally {
    await fh.close();
  }
}

const NEWLINE = Buffer.from('\n');
/** What a line longer than the limit is kept as. */
const KEPT = MAX_LINE_BYTES + 1;

/** The whole lines `block` completes (the partial line before it first), or null; what follows its last newline becomes the partial line. */
function wholeLines(block: Buffer, partial: { bytes: Buffer; skipping: boolean }): Buffer | null {
  let start = 0;
  if (partial.skipping) {
    start = block.indexOf(10);
    if (start === -1) return null;
    partial.skipping = false;
  }
  const last = block.lastIndexOf(10);
  if (last < start) {
    append(partial, block.subarray(start));
    return null;
  }
  let chunk = block.subarray(start, last + 1);
  if (partial.bytes.length) {
    const first = block.indexOf(10, start);
    const head = Buffer.concat([partial.bytes, block.subarray(start, first)]);
    chunk = Buffer.concat([head.length > KEPT ? head.subarray(0, KEPT) : head, block.subarray(first, last + 1)]);
  }
  partial.bytes = Buffer.from(block.subarray(last + 1));
  return chunk;
}

/** Adds bytes to the partial line, keeping at most KEPT (then the rest of the line is skipped). */
function append(partial: { bytes: Buffer; skipping: boolean }, piece: Buffer): void {
  const total = partial.bytes.length + piece.length;
  partial.bytes = Buffer.concat([partial.bytes, piece], Math.min(total, KEPT));
  if (total > KEPT) partial.skipping = true;
}
