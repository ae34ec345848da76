import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, type BackupHeader } from './backup-format.js';
import type { SnapshotSource } from './snapshot-source.js';

export interface WrittenPayload {
  header: BackupHeader;
  rowCounts: Record<string, number>;
  uncompressedBytes: number;
  contentSha256: string;
  sizeBytes: number;
  sha256: string;
}

/**
 * Streams a snapshot into `file` as gzip'd JSON lines (see backup-format.ts), hashing the text and
 * the compressed bytes on the way. Memory stays bounded by the chunk size whatever the database size.
 */
export async function writePayload(
  file: string,
  source: SnapshotSource,
  meta: { createdAt: string; appVersion: string; gzipLevel?: number },
): Promise<WrittenPayload> {
  const tables = source.tables;
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    format_version: BACKUP_FORMAT_VERSION,
    created_at: meta.createdAt,
    source_dialect: source.dialect,
    app_version: meta.appVersion,
    schema_version: source.migrations.at(-1) ?? null,
    migrations: source.migrations,
    tables: tables.map((t) => ({ name: t.name, columns: t.columns, types: t.types })),
  };
  const content = createHash('sha256');
  const rowCounts: Record<string, number> = {};
  let uncompressedBytes = 0;
  let contentSha256 = '';

  async function* lines(): AsyncGenerator<Buffer> {
    const emit = (text: string) => {
      const buf = Buffer.from(text, 'utf8');
      content.update(buf);
      uncompressedBytes += buf.length;
      return buf;
    };
    yield emit(JSON.stringify(header) + '\n');
    for (const t of tables) {
      yield emit(JSON.stringify({ table: t.name }) + '\n');
      let rows = 0;
      for await (const chunk of source.chunks(t)) {
        rows += chunk.rows;
        yield emit(chunk.text);
      }
      rowCounts[t.name] = rows;
      yield emit(JSON.stringify({ end: t.name, rows }) + '\n');
    }
    contentSha256 = content.digest('hex');
    const trailer = JSON.stringify({ trailer: true, row_counts: rowCounts, sha256: contentSha256 }) + '\n';
    uncompressedBytes += Buffer.byteLength(trailer);
    yield Buffer.from(trailer, 'utf8');
  }

  const fileHash = createHash('sha256');
  let sizeBytes = 0;
  const hashFile = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      fileHash.update(chunk);
      sizeBytes += chunk.length;
      cb(null, chunk);
    },
  });
  await pipeline(lines(), createGzip({ level: meta.gzipLevel ?? 6, chunkSize: 256 * 1024 }), hashFile, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  return { header, rowCounts, uncompressedBytes, contentSha256, sizeBytes, sha256: fileHash.digest('hex') };
}
