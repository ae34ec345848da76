import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { AppError } from '../http/app-error.js';

/** A line longer than this is cut there (and counted as cut); the rest of it is skipped. */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;

export interface Line {
  /** 1-based number in its file. */
  no: number;
  text: string;
}

/** What reading found beyond the lines themselves. */
export interface ReadStats {
  bytes: number;
  lines: number;
  /** Lines longer than MAX_LINE_BYTES, cut to that size. */
  cutLines: number;
  /** Lines that were not valid UTF-8 (bad bytes shown as U+FFFD). */
  invalidUtf8Lines: number;
}

export function newReadStats(): ReadStats {
  return { bytes: 0, lines: 0, cutLines: 0, invalidUtf8Lines: 0 };
}

/** True when the file starts with the gzip magic bytes (whatever its name). */
export async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const { bytesRead, buffer } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** A file's byte stream, gunzipped when it is gzip. */
export async function openLogStream(file: string, range?: { start: number; end: number }): Promise<Readable> {
  if (range) return createReadStream(file, { highWaterMark: 256 * 1024, start: range.start, end: range.end - 1 });
  const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
  return (await isGzip(file)) ? raw.pipe(createGunzip()).on('error', () => raw.destroy()) : raw;
}

/** Bytes read at once by fileChunks. */
const CHUNK_BYTES = 1024 * 1024;

/**
 * A file's bytes (or bytes [start, end) of a plain file) in chunks read into two buffers used in turn: the next
 * chunk is read while the caller works on this one, and no buffer is allocated per chunk. A chunk is valid only until
 * the next one is asked for (copy what must be kept). A gzip file is streamed and gunzipped (openLogStream).
 */
export async function* fileChunks(file: string, range?: { start: number; end: number }): AsyncGenerator<Buffer> {
  if (!range && (await isGzip(file))) {
    yield* (await openLogStream(file)) as AsyncIterable<Buffer>;
    return;
  }
  const fh = await open(file, 'r');
  const end = range?.end ?? Infinity;
  const buffers = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)] as const;
  let at = range?.start ?? 0;
  let turn = 0;
  const readInto = (buffer: Buffer) => (at < end ? fh.read(buffer, 0, Math.min(CHUNK_BYTES, end - at), at) : null);
  let next = readInto(buffers[0]);
  try {
    while (next) {
      const { bytesRead, buffer } = await next;
      if (bytesRead === 0) break;
      at += bytesRead;
      turn ^= 1;
      next = readInto(turn ? buffers[1] : buffers[0]);
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await next?.catch(() => undefined);
    await fh.close();
  }
}

/** Inline text as a byte stream. */
export function textStream(text: string): AsyncIterable<Buffer> {
  return (async function* () {
    yield Buffer.from(text, 'utf8');
  })();
}

/**
 * Splits a byte stream into lines, in batches (one per chunk), in bounded memory: a line over
 * MAX_LINE_BYTES is cut and counted, invalid UTF-8 is replaced (and counted), CRLF is accepted.
 * A gzip stream that ends early or is not gzip raises a clear AppError.
 */
export async function* readLines(stream: AsyncIterable<Buffer>, stats: ReadStats, name: string, signal?: AbortSignal): AsyncGenerator<Line[]> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let cut = false;
  const counter = { no: 0 };
  try {
    for await (const chunk of stream) {
      if (signal?.aborted) throw new AppError('bad_request', 'cancelled');
      stats.bytes += chunk.length;
      const batch: Line[] = [];
      let start = 0;
      let nl = chunk.indexOf(10, start);
      while (nl !== -1) {
        const piece = chunk.subarray(start, nl);
        const whole = pendingBytes ? Buffer.concat([...pending, piece]) : piece;
        batch.push(finish(whole, stats, counter, cut || whole.length > MAX_LINE_BYTES));
        pending = [];
        pendingBytes = 0;
        cut = false;
        start = nl + 1;
        nl = chunk.indexOf(10, start);
      }
      if (start < chunk.length) {
        const rest = chunk.subarray(start);
        const room = MAX_LINE_BYTES - pendingBytes;
        if (room > 0) {
          const kept = rest.length > room ? rest.subarray(0, room) : rest;
          pending.push(Buffer.from(kept));
          pendingBytes += kept.length;
        }
        if (rest.length > room) cut = true;
      }
      if (batch.length) yield batch;
    }
  } catch (err) {
    throw readError(err, name);
  }
  if (pendingBytes || cut) yield [finish(Buffer.concat(pending), stats, counter, cut)];
}

function finish(bytes: Buffer, stats: ReadStats, counter: { no: number }, cut: boolean): Line {
  return { no: ++counter.no, text: lineText(bytes, stats, cut) };
}

/** The text of one line's bytes (a trailing CR dropped, cut at MAX_LINE_BYTES), counted in the stats. */
export function lineText(bytes: Buffer, stats: ReadStats, cut: boolean): string {
  return lineTextAt(bytes, 0, lineTextEnd(bytes, 0, bytes.length, cut), stats, cut);
}

/**
 * Where the text of the line in bytes [from, to) ends: a trailing CR dropped, cut at MAX_LINE_BYTES. A cut line keeps
 * its first MAX_LINE_BYTES bytes whatever its end (the reader may hold only those), so the text does not depend on
 * where the chunks of a file fall.
 */
export function lineTextEnd(buf: Uint8Array, from: number, to: number, cut: boolean): number {
  if (cut) return from + MAX_LINE_BYTES;
  return to > from && buf[to - 1] === 13 ? to - 1 : to;
}

/** The text of bytes [from, end) (end from lineTextEnd), counted in the stats; invalid UTF-8 is judged on those bytes. */
export function lineTextAt(buf: Buffer, from: number, end: number, stats: ReadStats, cut: boolean): string {
  const text = buf.toString('utf8', from, end);
  stats.lines++;
  if (cut) stats.cutLines++;
  if (text.includes('\uFFFD') && buf.subarray(from, end).indexOf(UTF8_REPLACEMENT) === -1) stats.invalidUtf8Lines++;
  return text;
}

const UTF8_REPLACEMENT = Buffer.from('\uFFFD', 'utf8');

export function readError(err: unknown, name: string): unknown {
  if (err instanceof AppError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(e.message ?? '')) return new AppError('unprocessable', `'${name}': the gzip data is truncated (the file ends early); download it again`);
  if (e.code === 'Z_DATA_ERROR') return new AppError('unprocessable', `'${name}': not valid gzip data (${e.message})`);
  return err;
}
