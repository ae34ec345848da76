import { rm } from 'node:fs/promises';
import { sqlitePathOf } from '../config.js';
import { AppError } from '../http/app-error.js';
import type { BackupContext } from './backup-context.js';
import type { BackupKind, BackupManifest } from './backup-format.js';
import { writePayload } from './payload-writer.js';
import { openPostgresSnapshot } from './postgres-snapshot.js';
import { readCatalog } from './table-catalog.js';
import type { VerifiedPayload } from './verify-payload.js';

/** Verifies a written or received file and stores it under a new id with its manifest. */
export type AdoptBackup = (
  tmp: string,
  kind: BackupKind,
  label: string | null,
  durationMs: number,
  id?: string,
  verified?: VerifiedPayload,
) => Promise<BackupManifest>;

/**
 * Writing backups: a consistent snapshot of the database streamed into a file, verified by a full
 * read, then stored. Callers hold the service's one-at-a-time lock.
 */
export function createBackupWriter(ctx: BackupContext) {
  const { deps } = ctx;
  const store = deps.store;

  /** Writes a snapshot into `tmp`; false when another instance holds the backup lock (PostgreSQL). */
  const writeSnapshot = async (tmp: string, createdAt: string, lock: boolean): Promise<boolean> => {
    const meta = { createdAt, appVersion: deps.appVersion, gzipLevel: deps.gzipLevel };
    if (deps.dialect === 'sqlite') {
      const file = sqlitePathOf(deps.databaseUrl);
      if (file === ':memory:') throw new AppError('bad_request', 'an in-memory SQLite database cannot be backed up');
      await ctx.worker.call('writeSqliteBackup', [file, await readCatalog(deps.db, 'sqlite'), tmp, meta]);
      return true;
    }
    const source = await openPostgresSnapshot(deps.db, { exclusive: lock });
    if (!source) return false;
    try {
      await writePayload(tmp, source, meta);
    } finally {
      await source.close();
    }
    return true;
  };

  const adopt: AdoptBackup = async (tmp, kind, label, durationMs, id = store.newId(), verified) => {
    const v = verified ?? (await ctx.verifyPayload(tmp));
    const manifest: BackupManifest = {
      id,
      kind,
      label,
      format: v.header.format,
      format_version: v.header.format_version,
      created_at: v.header.created_at,
      source_dialect: v.header.source_dialect,
      app_version: v.header.app_version,
      schema_version: v.header.schema_version,
      migrations: v.header.migrations,
      row_counts: v.rowCounts,
      total_rows: v.totalRows,
      size_bytes: v.sizeBytes,
      sha256: v.sha256,
      uncompressed_bytes: v.uncompressedBytes,
      content_sha256: v.contentSha256,
      verified_at: new Date().toISOString(),
      duration_ms: durationMs,
    };
    await store.commit(tmp, manifest);
    return manifest;
  };

  /** A backup of the whole database now; null when `lock` is asked and another instance holds it. */
  const create = async (kind: BackupKind, label: string | null, lock = false): Promise<BackupManifest | null> => {
    const started = performance.now();
    const now = new Date();
    const tmp = store.tempPath();
    try {
      if (!(await writeSnapshot(tmp, now.toISOString(), lock))) {
        await rm(tmp, { force: true });
        return null;
      }
      const manifest = await adopt(tmp, kind, label, Math.round(performance.now() - started), store.newId(now));
      deps.log.info({ backup: manifest.id, kind, rows: manifest.total_rows, bytes: manifest.size_bytes, ms: manifest.duration_ms }, 'backup written and verified');
      return manifest;
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  };

  return { create, adopt };
}

export type BackupWriter = ReturnType<typeof createBackupWriter>;
