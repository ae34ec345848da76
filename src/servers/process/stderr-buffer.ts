import type { Readable } from 'node:stream';
import { createLineSplitter } from './line-splitter.js';

/**
 * The recent stderr lines of a stdio server, in a fixed-size ring. Lines longer than
 * `maxLineBytes` are kept truncated with a marker; memory stays bounded whatever the child prints.
 */
export interface StderrBuffer {
  /** Feeds a stream into the buffer until it ends. */
  attach(stream: Readable): void;
  /** The last `n` lines (all kept lines when omitted), oldest first. */
  tail(n?: number): string[];
  /** Lines seen in total, including those rotated out. */
  readonly total: number;
  /** Kept lines numbered after `seq` (a line's number is `total` when it arrived), oldest first. */
  since(seq: number): { seq: number; line: string }[];
}

export interface StderrBufferOptions {
  lines: number;
  maxLineBytes: number;
  /** Called for each line as it arrives (e.g. to log it), with its number (1 for the first). */
  onLine?: (line: string, seq: number) => void;
}

export function createStderrBuffer(opts: StderrBufferOptions): StderrBuffer {
  const ring: string[] = [];
  let next = 0;
  let total = 0;
  const add = (line: string) => {
    if (opts.lines <= 0) return;
    if (ring.length < opts.lines) ring.push(line);
    else ring[next] = line;
    next = (next + 1) % opts.lines;
    total++;
    opts.onLine?.(line, total);
  };
  return {
    attach(stream) {
      const splitter = createLineSplitter(
        { maxLineBytes: opts.maxLineBytes, headBytes: opts.maxLineBytes },
        {
          onLine: (buf) => add(buf.toString('utf8')),
          onOverflow: (bytes, head) => add(`${head.toString('utf8')}… [line of ${bytes} bytes truncated]`),
        },
      );
      stream.on('data', (chunk: Buffer) => splitter.push(chunk));
      stream.once('end', () => splitter.end());
    },
    tail(n) {
      const ordered = ring.length < opts.lines ? [...ring] : [...ring.slice(next), ...ring.slice(0, next)];
      return n === undefined ? ordered : ordered.slice(Math.max(0, ordered.length - n));
    },
    get total() {
      return total;
    },
    since(seq) {
      const kept = this.tail();
      const first = total - kept.length + 1;
      return kept.map((line, i) => ({ seq: first + i, line })).filter((l) => l.seq > seq);
    },
  };
}
