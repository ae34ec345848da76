import { createHash } from 'node:crypto';
import { BlockGzipWriter } from './block-gzip-writer.js';
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
 * the compressed bytes on the way. Memory stays bounded (a few 1 MiB blocks) whatever the database size.
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

  const out = new BlockGzipWriter(file, meta.gzipLevel ?? 6);
  const emit = async (text: string) => {
    const buf = Buffer.from(text, 'utf8');
    content.update(buf);
    uncompressedBytes += buf.length;
    await out.write(buf);
  };
  try {
    await emit(JSON.stringify(header) + '\n');
    for (const t of tables) {
      await emit(JSON.stringify({ table: t.name }) + '\n');
      let rows = 0;
      for await (const chunk of source.chunks(t)) {
        rows += chunk.rows;
        await emit(chunk.text);
      }
      rowCounts[t.name] = rows;
      await emit(JSON.stringify({ end: t.name, rows }) + '\n');
    }
    const contentSha256 = content.digest('hex');
    const trailer = Buffer.from(JSON.stringify({ trailer: true, row_counts: rowCounts, sha256: contentSha256 }) + '\n', 'utf8');
    uncompressedBytes += trailer.length;
    await out.write(trailer);
    const { size, sha256 } = await out.finish();
    return { header, rowCounts, uncompressedBytes, contentSha256, sizeBytes: size, sha256 };
  } catch (err) {
    out.abort();
    throw err;
  }
}
