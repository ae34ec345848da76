import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, type BackupHeader, backupHeader, backupTrailer, type TableSpec, tableEnd, tableStart } from './backup-format.js';
import { type EncodedValue, isEncodedValue } from './value-codec.js';

/** A backup file that cannot be trusted: the message says why, in words a user can act on. */
export class InvalidBackupError extends Error {
  override name = 'InvalidBackupError';
}

export interface ReadLimits {
  /** Largest uncompressed size accepted (decompression-bomb guard). */
  maxExpandedBytes: number;
  /** Longest single line (one row). */
  maxLineBytes?: number;
}

export type PayloadEvent =
  | { kind: 'header'; header: BackupHeader }
  | { kind: 'rows'; table: TableSpec; rows: EncodedValue[][] }
  | { kind: 'end'; rowCounts: Record<string, number>; uncompressedBytes: number; contentSha256: string; compressedBytes: number; sha256: string };

const NEWLINE = 0x0a;
const TRAILER_PREFIX = Buffer.from('{"trailer":');

/**
 * Reads a backup file and checks everything on the way: gzip integrity, size limits, the header,
 * each line's shape, tables in the header's order, row counts, the trailer's checksum, and that
 * nothing is missing or follows the trailer. Throws InvalidBackupError at the first problem; the
 * final `end` event means the whole file was sound. Rows come in batches, in file order.
 */
export async function* readPayload(file: string, limits: ReadLimits): AsyncGenerator<PayloadEvent> {
  const maxLine = limits.maxLineBytes ?? 16 * 1024 * 1024;
  const content = createHash('sha256');
  let expanded = 0;
  let compressed = 0;
  let rest: Buffer | null = null;
  const state = new LineState();

  const input = createReadStream(file);
  const fileHash = createHash('sha256');
  input.on('data', (c) => {
    compressed += c.length;
    fileHash.update(c as Buffer);
  });
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  input.on('error', (err) => gunzip.destroy(err));
  input.pipe(gunzip);
  try {
    for await (const piece of gunzip as AsyncIterable<Buffer>) {
      expanded += piece.length;
      if (expanded > limits.maxExpandedBytes) throw new InvalidBackupError(`the backup expands to more than ${limits.maxExpandedBytes} bytes (the limit): refused`);
      const buf: Buffer = rest ? Buffer.concat([rest, piece]) : piece;
      let start = 0;
      let hashedTo = 0;
      let batch: EncodedValue[][] = [];
      let batchTable: TableSpec | null = null;
      for (let nl = buf.indexOf(NEWLINE); nl !== -1; nl = buf.indexOf(NEWLINE, start)) {
        const isTrailer = buf.compare(TRAILER_PREFIX, 0, TRAILER_PREFIX.length, start, Math.min(nl, start + TRAILER_PREFIX.length)) === 0;
        if (isTrailer) {
          content.update(buf.subarray(hashedTo, start));
          hashedTo = nl + 1;
        }
        const line = buf.toString('utf8', start, nl);
        start = nl + 1;
        const out = state.line(line, isTrailer ? content.copy().digest('hex') : null);
        if (out === 'row') {
          if (batchTable !== state.current && batch.length) {
            yield { kind: 'rows', table: batchTable!, rows: batch };
            batch = [];
          }
          batchTable = state.current;
          batch.push(state.lastRow!);
          continue;
        }
        if (batch.length) {
          yield { kind: 'rows', table: batchTable!, rows: batch };
          batch = [];
        }
        if (out) yield out;
      }
      if (hashedTo < start) content.update(buf.subarray(hashedTo, start));
      if (batch.length) yield { kind: 'rows', table: batchTable!, rows: batch };
      rest = start < buf.length ? buf.subarray(start) : null;
      if (rest && rest.length > maxLine) throw new InvalidBackupError(`a line is longer than ${maxLine} bytes: not a backup file`);
    }
  } catch (err) {
    if (err instanceof InvalidBackupError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw err;
    if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || /unexpected end|incorrect header|invalid/i.test((err as Error).message)) {
      throw new InvalidBackupError(`not a readable gzip file (${(err as Error).message}): truncated or not a backup`);
    }
    throw err;
  } finally {
    input.destroy();
  }
  if (rest && rest.length > 0) throw new InvalidBackupError('the file ends in the middle of a line: truncated');
  const rowCounts = state.finish();
  yield { kind: 'end', rowCounts, uncompressedBytes: expanded, contentSha256: state.contentSha256!, compressedBytes: compressed, sha256: fileHash.digest('hex') };
}

/** The grammar of the file, one line at a time. */
class LineState {
  header: BackupHeader | null = null;
  current: TableSpec | null = null;
  lastRow: EncodedValue[] | null = null;
  private tableIndex = 0;
  private rows = 0;
  private counts: Record<string, number> = {};
  private done = false;
  contentSha256: string | null = null;

  line(text: string, digestBeforeTrailer: string | null): PayloadEvent | 'row' | null {
    if (this.done) throw new InvalidBackupError('data after the trailer: not a backup file');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new InvalidBackupError(this.header ? 'a line is not valid JSON: corrupt backup' : 'not a backup file (the first line is not a backup header)');
    }
    if (!this.header) return { kind: 'header', header: (this.header = parseHeader(value)) };
    if (Array.isArray(value)) {
      const t = this.current;
      if (!t) throw new InvalidBackupError('a row outside any table: corrupt backup');
      if (value.length !== t.columns.length || !value.every(isEncodedValue)) {
        throw new InvalidBackupError(`a row of table ${t.name} does not match its ${t.columns.length} columns: corrupt backup`);
      }
      this.rows++;
      this.lastRow = value as EncodedValue[];
      return 'row';
    }
    if (digestBeforeTrailer !== null) {
      const tr = parse(backupTrailer, value, 'the trailer');
      if (this.current || this.tableIndex !== this.header.tables.length) throw new InvalidBackupError('the trailer comes before every table is complete: corrupt backup');
      if (tr.sha256 !== digestBeforeTrailer) throw new InvalidBackupError('checksum mismatch: the content does not match the sha256 in the trailer');
      for (const [name, n] of Object.entries(tr.row_counts)) {
        if (this.counts[name] !== n) throw new InvalidBackupError(`row count mismatch for table ${name}: the trailer says ${n}, the file holds ${this.counts[name] ?? 0}`);
      }
      if (Object.keys(tr.row_counts).length !== Object.keys(this.counts).length) throw new InvalidBackupError('the trailer does not list every table: corrupt backup');
      this.contentSha256 = digestBeforeTrailer;
      this.done = true;
      return null;
    }
    if (value && typeof value === 'object' && 'table' in value) {
      const s = parse(tableStart, value, 'a table start');
      const expected = this.header.tables[this.tableIndex];
      if (this.current || !expected || expected.name !== s.table) throw new InvalidBackupError(`table ${s.table} is out of order: corrupt backup`);
      this.current = expected;
      this.rows = 0;
      return null;
    }
    if (value && typeof value === 'object' && 'end' in value) {
      const e = parse(tableEnd, value, 'a table end');
      if (!this.current || this.current.name !== e.end) throw new InvalidBackupError(`unexpected end of table ${e.end}: corrupt backup`);
      if (e.rows !== this.rows) throw new InvalidBackupError(`row count mismatch for table ${e.end}: ${e.rows} announced, ${this.rows} present`);
      this.counts[e.end] = this.rows;
      this.current = null;
      this.tableIndex++;
      return null;
    }
    throw new InvalidBackupError('an unknown line: corrupt backup');
  }

  finish(): Record<string, number> {
    if (!this.header) throw new InvalidBackupError('the file is empty: not a backup');
    if (!this.done) throw new InvalidBackupError('the trailer is missing: truncated backup');
    return this.counts;
  }
}

function parseHeader(value: unknown): BackupHeader {
  const v = value as { format?: unknown; format_version?: unknown } | null;
  if (!v || typeof v !== 'object' || v.format !== BACKUP_FORMAT) throw new InvalidBackupError('not a backup file (the first line is not a backup header)');
  if (typeof v.format_version === 'number' && v.format_version > BACKUP_FORMAT_VERSION) {
    throw new InvalidBackupError(`backup format version ${v.format_version} is newer than this release reads (${BACKUP_FORMAT_VERSION}): upgrade first`);
  }
  const h = parse(backupHeader, value, 'the header');
  const names = new Set(h.tables.map((t) => t.name));
  if (names.size !== h.tables.length) throw new InvalidBackupError('the header lists a table twice: corrupt backup');
  for (const t of h.tables) {
    if (t.types.length !== t.columns.length || new Set(t.columns).size !== t.columns.length) throw new InvalidBackupError(`the header's columns of table ${t.name} are inconsistent: corrupt backup`);
  }
  return h;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new InvalidBackupError(`${what} is malformed (${r.error.issues[0]?.message ?? 'invalid'}): corrupt backup`);
  return r.data;
}
