import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { AppError } from '../http/app-error.js';
import { migrations as knownMigrationTable } from '../db/migrations/index.js';
import type { BackupHeader } from './backup-format.js';
import type { BackupStore } from './backup-store.js';
import { InvalidBackupError, type ReadLimits } from './payload-reader.js';
import { checkCompatible, IncompatibleBackupError } from './restore-payload.js';
import { readCatalog } from './table-catalog.js';
import type { VerifiedPayload } from './verify-payload.js';
import { createWorkerRunner, type WorkerRunner } from '../lib/worker-call.js';

export interface BackupsServiceDeps {
  db: Kysely<any>;
  dialect: 'sqlite' | 'postgres';
  databaseUrl: string;
  store: BackupStore;
  appVersion: string;
  limits: { maxUploadBytes: number; maxExpandedBytes: number };
  log: Logger;
  /** Called after a restore committed (e.g. to restart managed servers from the restored rows). */
  onRestored?: () => Promise<void>;
  gzipLevel?: number;
}

/** What the backup operations share: their deps, the worker thread and the checks of a file. */
export interface BackupContext {
  readonly deps: BackupsServiceDeps;
  readonly worker: WorkerRunner;
  readonly limits: ReadLimits;
  readonly knownMigrations: readonly string[];
  /** Reads a whole backup file back in the worker thread (decompress, checksum, every line, counts). */
  verifyPayload(file: string): Promise<VerifiedPayload>;
  /** Throws IncompatibleBackupError unless a file with this header restores into this database; else its notes. */
  checkRestorable(header: BackupHeader): Promise<string[]>;
}

const KNOWN_MIGRATIONS = Object.keys(knownMigrationTable).sort();
/**
 * The backup thread ends this long after its last call: a backup's snapshot connection, gzip streams
 * and strings leave native memory in a long-lived thread that only its exit gives back (the soak's
 * RSS grew ~17 MiB/min with a backup a minute; docs/RELIABILITY.md). Starting it again costs ~50 ms.
 */
const IDLE_EXIT_MS = 5_000;
/** The worker entry points, with this module's own extension (.ts from source, .js from dist/). */
const WORKER = new URL(`./backup-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;

export function createBackupContext(deps: BackupsServiceDeps): BackupContext {
  const worker = createWorkerRunner(WORKER, { errors: { InvalidBackupError }, name: 'backup worker', idleExitMs: IDLE_EXIT_MS });
  const limits: ReadLimits = { maxExpandedBytes: deps.limits.maxExpandedBytes };
  return {
    deps,
    worker,
    limits,
    knownMigrations: KNOWN_MIGRATIONS,
    verifyPayload: (file) => worker.call<VerifiedPayload>('verifyBackupFile', [file, limits]),
    checkRestorable: async (header) => checkCompatible(header, KNOWN_MIGRATIONS, await readCatalog(deps.db, deps.dialect)),
  };
}

/** A bad or incompatible backup as the AppError the API answers; any other error unchanged. */
export function asAppError(err: unknown): unknown {
  if (err instanceof InvalidBackupError) return new AppError('unprocessable', `invalid backup: ${err.message}`);
  if (err instanceof IncompatibleBackupError) return new AppError('conflict', err.message);
  return err;
}
