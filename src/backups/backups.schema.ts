import { z } from 'zod';
import { BACKUP_ID } from './backup-format.js';

export const backupIdParams = z.strictObject({ id: z.string().regex(BACKUP_ID, 'expected a backup id such as mcps-20261129T030000Z-1a2b3c4d') });

export const backupManifest = z.object({
  id: z.string(),
  kind: z.enum(['manual', 'scheduled', 'safety', 'upload']),
  label: z.string().nullable(),
  format: z.string(),
  format_version: z.number(),
  created_at: z.string(),
  source_dialect: z.enum(['sqlite', 'postgres']),
  app_version: z.string(),
  schema_version: z.string().nullable(),
  migrations: z.array(z.string()),
  row_counts: z.record(z.string(), z.number()),
  total_rows: z.number(),
  size_bytes: z.number(),
  sha256: z.string(),
  uncompressed_bytes: z.number(),
  content_sha256: z.string(),
  verified_at: z.string(),
  duration_ms: z.number(),
});

export const backupList = z.object({
  items: z.array(backupManifest),
  schedule: z.object({
    schedule: z.string().nullable(),
    next_run: z.string().nullable(),
    keep_count: z.number(),
    keep_days: z.number(),
  }),
});

const label = z.string().trim().min(1).max(200).refine((v) => !/\p{Cc}/u.test(v), 'no control characters');

export const createBackupBody = z.strictObject({ label: label.optional() }).nullish();

export const restoreBody = z
  .strictObject({
    /** Take a backup of the current data first (default true). */
    safety_backup: z.boolean().default(true),
  })
  .nullish();

export const restoreOutcome = z.object({
  restored: backupManifest,
  safety: backupManifest.nullable(),
  row_counts: z.record(z.string(), z.number()),
  notes: z.array(z.string()),
});

export const uploadQuery = z.strictObject({
  label: label.optional(),
  sha256: z.string().regex(/^[A-Fa-f0-9]{64}$/, 'expected 64 hex characters').optional(),
});

/** The download: the file itself (gzip), not JSON; its SHA-256 is in the x-backup-sha256 header. */
export const backupFile = {
  description: 'The backup file (gzip); its SHA-256 is in the x-backup-sha256 header',
  content: { 'application/gzip': { schema: z.any().meta({ type: 'string', format: 'binary' }) } },
};
