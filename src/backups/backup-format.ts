import { z } from 'zod';

/**
 * The backup file: gzip of JSON lines, dialect-neutral, streamed in table order.
 *
 *   {"format":"mcps-backup","format_version":1,...,"tables":[{"name":"users","columns":[...],"types":[...]}]}
 *   {"table":"users"}
 *   ["id-1","alice",...]                       one JSON array per row, values in column order
 *   {"end":"users","rows":1}
 *   ...every table of the header, in the header's order...
 *   {"trailer":true,"row_counts":{"users":1,...},"sha256":"<hex of every byte before this line>"}
 *
 * Values: null, string, number, boolean, or {"$b64":"..."} for binary. The trailer's checksum covers
 * the uncompressed text; gzip's CRC covers the compressed bytes; the manifest beside the file holds the
 * sha256 of the file itself.
 */
export const BACKUP_FORMAT = 'mcps-backup';
export const BACKUP_FORMAT_VERSION = 1;

const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'expected a plain SQL identifier');

export const tableSpec = z.strictObject({
  name,
  columns: z.array(name).min(1).max(1000),
  /** The source's declared column types (lower case), used to convert values on restore. */
  types: z.array(z.string().max(100)),
});
export type TableSpec = z.infer<typeof tableSpec>;

export const backupHeader = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  format_version: z.number().int(),
  created_at: z.string().max(40),
  source_dialect: z.enum(['sqlite', 'postgres']),
  app_version: z.string().max(100),
  /** The newest applied migration of the source database. */
  schema_version: z.string().max(200).nullable(),
  /** Every applied migration of the source, in order. */
  migrations: z.array(z.string().max(200)).max(10_000),
  tables: z.array(tableSpec).max(1000),
});
export type BackupHeader = z.infer<typeof backupHeader>;

export const tableStart = z.strictObject({ table: name });
export const tableEnd = z.strictObject({ end: name, rows: z.number().int().min(0) });
export const backupTrailer = z.strictObject({
  trailer: z.literal(true),
  row_counts: z.record(z.string(), z.number().int().min(0)),
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
});
export type BackupTrailer = z.infer<typeof backupTrailer>;

export type BackupKind = 'manual' | 'scheduled' | 'safety' | 'upload';

/** What BACKUP_DIR keeps beside each payload (`<id>.manifest.json`): enough to list without opening it. */
export interface BackupManifest {
  id: string;
  kind: BackupKind;
  /** Free text given at creation (or the uploaded file's name), for people. */
  label: string | null;
  format: typeof BACKUP_FORMAT;
  format_version: number;
  /** When the snapshot was taken (the header's time). */
  created_at: string;
  source_dialect: 'sqlite' | 'postgres';
  app_version: string;
  schema_version: string | null;
  migrations: string[];
  row_counts: Record<string, number>;
  total_rows: number;
  /** Size and sha256 of the compressed file as stored. */
  size_bytes: number;
  sha256: string;
  /** Size and sha256 (the trailer's) of the uncompressed JSON lines. */
  uncompressed_bytes: number;
  content_sha256: string;
  /** When the file was last read back in full and found sound. */
  verified_at: string;
  /** Time taken to write the backup (0 for uploads). */
  duration_ms: number;
}

export const BACKUP_ID = /^mcps-\d{8}T\d{6}Z-[a-f0-9]{8}$/;
