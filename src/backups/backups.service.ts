import { createWriteStream, type ReadStream, createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { sqlitePathOf } from '../config.js';
import { AppError } from '../http/app-error.js';
import { migrations as knownMigrationTable } from '../db/migrations/index.js';
import type { BackupKind, BackupManifest } from './backup-format.js';
import { pickExpired, type RetentionPolicy } from './backup-retention.js';
import type { BackupStore } from './backup-store.js';
import { InvalidBackupError, type ReadLimits } from './payload-reader.js';
import { writePayload } from './payload-writer.js';
import { openPostgresSnapshot } from './postgres-snapshot.js';
import { checkCompatible, IncompatibleBackupError, restorePayload } from './restore-payload.js';
import { readCatalog } from './table-catalog.js';
import type { VerifiedPayload } from './verify-payload.js';
import { createWorkerRunner } from './worker-call.js';

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

export interface RestoreOutcome {
  restored: BackupManifest;
  /** The backup of the data as it was just before (null when skipped). */
  safety: BackupManifest | null;
  row_counts: Record<string, number>;
  notes: string[];
}

export interface RestoreOptions {
  /** Take a safety backup of the current data first (default true). */
  safety: boolean;
  /** Run `onRestored` afterwards (default true; the CLI, which runs no servers, says false). */
  notify?: boolean;
  /** Called when the file checked out and the replacing transaction begins (progress for the CLI). */
  onStart?: () => void;
}

const KNOWN_MIGRATIONS = Object.keys(knownMigrationTable).sort();
/** The worker entry points, with this module's own extension (.ts from source, .js from dist/). */
const WORKER = new URL(`./backup-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;

/**
 * Backups of the whole database in a dialect-neutral format (see backup-format.ts): create (consistent
 * snapshot, streamed, verified after writing), list, verify, restore (verify first, safety backup,
 * one transaction), delete, import an uploaded file, prune by retention. One operation at a time per
 * process.
 */
export function createBackupsService(deps: BackupsServiceDeps) {
  const { store, log } = deps;
  const worker = createWorkerRunner(WORKER, { InvalidBackupError });
  /** Reads a whole backup file back in the worker thread (decompress, checksum, every line, counts). */
  const verifyPayload = (file: string, limits: ReadLimits) => worker.call<VerifiedPayload>('verifyBackupFile', [file, limits]);
  const limits: ReadLimits = { maxExpandedBytes: deps.limits.maxExpandedBytes };
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  /** Writes a snapshot into `tmp`; false when another instance holds the backup lock (PostgreSQL). */
  const writeSnapshot = async (tmp: string, createdAt: string, lock: boolean): Promise<boolean> => {
    const meta = { createdAt, appVersion: deps.appVersion, gzipLevel: deps.gzipLevel };
    if (deps.dialect === 'sqlite') {
      const file = sqlitePathOf(deps.databaseUrl);
      if (file === ':memory:') throw new AppError('bad_request', 'an in-memory SQLite database cannot be backed up');
      await worker.call('writeSqliteBackup', [file, await readCatalog(deps.db, 'sqlite'), tmp, meta]);
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

  /** Verifies a written or received file and stores it under a new id with its manifest. */
  const adopt = async (tmp: string, kind: BackupKind, label: string | null, durationMs: number, id = store.newId(), verified?: VerifiedPayload): Promise<BackupManifest> => {
    const v = verified ?? (await verifyPayload(tmp, limits));
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

  const createUnlocked = async (kind: BackupKind, label: string | null, lock = false): Promise<BackupManifest | null> => {
    const started = performance.now();
    const now = new Date();
    const tmp = store.tempPath();
    try {
      if (!(await writeSnapshot(tmp, now.toISOString(), lock))) {
        await rm(tmp, { force: true });
        return null;
      }
      const manifest = await adopt(tmp, kind, label, Math.round(performance.now() - started), store.newId(now));
      log.info({ backup: manifest.id, kind, rows: manifest.total_rows, bytes: manifest.size_bytes, ms: manifest.duration_ms }, 'backup written and verified');
      return manifest;
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  };

  const find = async (id: string): Promise<BackupManifest> => {
    const m = await store.get(id);
    if (!m) throw AppError.notFound('backup', id);
    return m;
  };

  /** A full read of a stored file, compared with its manifest. */
  const verifyStored = async (m: BackupManifest): Promise<{ manifest: BackupManifest; verified: VerifiedPayload }> => {
    let v;
    try {
      v = await verifyPayload(store.payloadPath(m.id), limits);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('unprocessable', `backup ${m.id}: its file is missing`);
      throw asAppError(err);
    }
    if (v.sha256 !== m.sha256) throw new AppError('unprocessable', `backup ${m.id}: the file's sha256 differs from its manifest (changed since it was written)`);
    const manifest = { ...m, verified_at: new Date().toISOString() };
    await store.saveManifest(manifest);
    return { manifest, verified: v };
  };

  /** Restores a stored backup whose file was just verified in full. */
  const restoreVerified = async (restored: BackupManifest, verified: VerifiedPayload, opts: RestoreOptions): Promise<RestoreOutcome> => {
    // The schema is checked before anything is replaced (and again inside the transaction).
    try {
      checkCompatible(verified.header, KNOWN_MIGRATIONS, await readCatalog(deps.db, deps.dialect));
    } catch (err) {
      throw asAppError(err);
    }
    const safety = opts.safety ? await createUnlocked('safety', `before restoring ${restored.id}`) : null;
    let result;
    try {
      result = await restorePayload(deps.db, deps.dialect, store.payloadPath(restored.id), { limits, knownMigrations: KNOWN_MIGRATIONS, onStart: opts.onStart });
    } catch (err) {
      throw asAppError(err);
    }
    log.warn({ lifecycle: true, backup: restored.id, safety: safety?.id, rows: result.rowCounts }, 'database restored from a backup');
    if (deps.onRestored && opts.notify !== false) await deps.onRestored().catch((err: unknown) => log.error({ err }, 'after restore: restarting managed servers failed'));
    return { restored, safety, row_counts: result.rowCounts, notes: result.notes };
  };

  return {
    store,
    /** Ends the worker thread (it never keeps the process alive anyway). */
    close: () => worker.close(),
    /** A backup of the whole database now; verified before it is listed. */
    create: (opts: { kind?: BackupKind; label?: string | null } = {}) =>
      exclusive(async () => (await createUnlocked(opts.kind ?? 'manual', opts.label ?? null))!),
    /**
     * The scheduled run: with PostgreSQL, only the instance that gets the backup lock writes one (null
     * when another instance is at it).
     */
    createScheduled: () => exclusive(() => createUnlocked('scheduled', null, true)),
    list: () => store.list(),
    get: find,
    async verify(id: string): Promise<BackupManifest> {
      return exclusive(async () => (await verifyStored(await find(id))).manifest);
    },
    /** The stored file, for download. */
    async open(id: string): Promise<{ manifest: BackupManifest; stream: ReadStream }> {
      const manifest = await find(id);
      return { manifest, stream: createReadStream(store.payloadPath(id)) };
    },
    restore: (id: string, opts: Partial<RestoreOptions> = {}) =>
      exclusive(async () => {
        const { manifest, verified } = await verifyStored(await find(id));
        return restoreVerified(manifest, verified, { ...opts, safety: opts.safety ?? true });
      }),
    /** Restores a file that is not in BACKUP_DIR (the CLI's `restore <file>`): imported first, then restored. */
    restoreExternal: (file: string, opts: Partial<RestoreOptions> = {}) =>
      exclusive(async () => {
        const { manifest, verified } = await importUnlocked(createReadStream(file), baseName(file));
        return restoreVerified(manifest, verified, { ...opts, safety: opts.safety ?? true });
      }),
    /** Checks a file anywhere (not stored): sound, and restorable into this database. */
    async verifyFile(file: string): Promise<VerifiedPayload & { notes: string[] }> {
      try {
        const v = await verifyPayload(file, limits);
        return { ...v, notes: checkCompatible(v.header, KNOWN_MIGRATIONS, await readCatalog(deps.db, deps.dialect)) };
      } catch (err) {
        throw asAppError(err);
      }
    },
    async delete(id: string): Promise<void> {
      await exclusive(async () => {
        await find(id);
        await store.remove(id);
      });
    },
    /**
     * An uploaded backup: untrusted. Stored only if it is within the size limits, sound (checksums,
     * every line, counts) and of a schema this release can restore; `expectedSha256`, when given,
     * must match the file.
     */
    import: (body: Readable, opts: { label?: string | null; expectedSha256?: string } = {}) =>
      exclusive(async () => (await importUnlocked(body, opts.label ?? null, opts.expectedSha256)).manifest),
    async prune(policy: RetentionPolicy): Promise<string[]> {
      return exclusive(async () => {
        await store.cleanTemp(24 * 60 * 60 * 1000);
        const expired = pickExpired(await store.list(), policy, new Date());
        for (const m of expired) await store.remove(m.id);
        if (expired.length) log.info({ pruned: expired.map((m) => m.id) }, 'old backups pruned');
        return expired.map((m) => m.id);
      });
    },
  };

  async function importUnlocked(body: Readable, label: string | null, expectedSha256?: string): Promise<{ manifest: BackupManifest; verified: VerifiedPayload }> {
    const tmp = store.tempPath();
    try {
      await receive(body, tmp, deps.limits.maxUploadBytes);
      if ((await stat(tmp)).size === 0) throw new AppError('validation', 'the body is empty: send the backup file as the request body');
      const id = store.newId();
      let manifest: BackupManifest;
      let v: VerifiedPayload;
      try {
        v = await verifyPayload(tmp, limits);
        if (expectedSha256 && v.sha256 !== expectedSha256.toLowerCase()) throw new AppError('unprocessable', 'checksum mismatch: the file does not have the sha256 given');
        checkCompatible(v.header, KNOWN_MIGRATIONS, await readCatalog(deps.db, deps.dialect));
        manifest = await adopt(tmp, 'upload', label, 0, id, v);
      } catch (err) {
        throw asAppError(err);
      }
      log.info({ backup: manifest.id, rows: manifest.total_rows, bytes: manifest.size_bytes }, 'backup imported');
      return { manifest, verified: v };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}

/**
 * Streams an upload to `file` within `max` bytes. The request is never destroyed: past the limit the
 * rest of the body is read and dropped, so the client gets the 413 instead of a reset connection.
 */
async function receive(body: Readable, file: string, max: number): Promise<void> {
  let size = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      size += chunk.length;
      if (size > max) cb(new AppError('payload_too_large', `the backup is larger than ${max} bytes (BACKUP_MAX_UPLOAD_MB)`));
      else cb(null, chunk);
    },
  });
  const aborted = (err: Error) => limiter.destroy(err);
  body.once('error', aborted);
  body.pipe(limiter);
  try {
    await pipeline(limiter, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  } catch (err) {
    body.unpipe(limiter);
    body.resume();
    throw err;
  } finally {
    body.off('error', aborted);
  }
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop()!.slice(0, 200);
}

function asAppError(err: unknown): unknown {
  if (err instanceof InvalidBackupError) return new AppError('unprocessable', `invalid backup: ${err.message}`);
  if (err instanceof IncompatibleBackupError) return new AppError('conflict', err.message);
  return err;
}

export type BackupsService = ReturnType<typeof createBackupsService>;
