import { type ReadLimits } from './payload-reader.js';
import { type WrittenPayload, writePayload } from './payload-writer.js';
import { openSqliteSnapshot } from './sqlite-snapshot.js';
import type { TableInfo } from './table-catalog.js';
import { type VerifiedPayload, verifyPayload } from './verify-payload.js';

/** Entry points run in a worker thread by backups.service.ts (via lib/worker-call.ts). */

export async function writeSqliteBackup(dbFile: string, tables: TableInfo[], tmp: string, meta: { createdAt: string; appVersion: string; gzipLevel?: number }): Promise<WrittenPayload> {
  const source = openSqliteSnapshot(dbFile, tables);
  try {
    return await writePayload(tmp, source, meta);
  } finally {
    await source.close().catch(() => {});
  }
}

export function verifyBackupFile(file: string, limits: ReadLimits): Promise<VerifiedPayload> {
  return verifyPayload(file, limits);
}
