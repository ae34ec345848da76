import { type ReadStream, createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { AppError } from '../http/app-error.js';
import { oneAtATime } from '../lib/one-at-a-time.js';
import { asAppError, createBackupContext, type BackupsServiceDeps } from './backup-context.js';
import { createBackupWriter } from './backup-create.js';
import type { BackupKind, BackupManifest } from './backup-format.js';
import { createBackupImporter } from './backup-import.js';
import { createBackupRestorer, type RestoreOptions } from './backup-restore.js';
import { pickExpired, type RetentionPolicy } from './backup-retention.js';
import type { VerifiedPayload } from './verify-payload.js';

/**
 * Backups of the whole database in a dialect-neutral format (see backup-format.ts): create (consistent
 * snapshot, streamed, verified after writing), list, verify, restore (verify first, safety backup,
 * one transaction), delete, import an uploaded file, prune by retention. One operation at a time per
 * process.
 */
export function createBackupsService(deps: BackupsServiceDeps) {
  const { store, log } = deps;
  const ctx = createBackupContext(deps);
  const writer = createBackupWriter(ctx);
  const importFile = createBackupImporter(ctx, writer.adopt);
  const restorer = createBackupRestorer(ctx, writer);
  const exclusive = oneAtATime();

  const find = async (id: string): Promise<BackupManifest> => {
    const m = await store.get(id);
    if (!m) throw AppError.notFound('backup', id);
    return m;
  };

  return {
    store,
    /** Ends the worker thread (it never keeps the process alive anyway). */
    close: () => ctx.worker.close(),
    /** A backup of the whole database now; verified before it is listed. */
    create: (opts: { kind?: BackupKind; label?: string | null } = {}) =>
      exclusive(async () => (await writer.create(opts.kind ?? 'manual', opts.label ?? null))!),
    /**
     * The scheduled run: with PostgreSQL, only the instance that gets the backup lock writes one (null
     * when another instance is at it).
     */
    createScheduled: () => exclusive(() => writer.create('scheduled', null, true)),
    list: () => store.list(),
    get: find,
    async verify(id: string): Promise<BackupManifest> {
      return exclusive(async () => (await restorer.verifyStored(await find(id))).manifest);
    },
    /** The stored file, for download. */
    async open(id: string): Promise<{ manifest: BackupManifest; stream: ReadStream }> {
      const manifest = await find(id);
      return { manifest, stream: createReadStream(store.payloadPath(id)) };
    },
    restore: (id: string, opts: Partial<RestoreOptions> = {}) =>
      exclusive(async () => {
        const { manifest, verified } = await restorer.verifyStored(await find(id));
        return restorer.restoreVerified(manifest, verified, { ...opts, safety: opts.safety ?? true });
      }),
    /** Restores a file that is not in BACKUP_DIR (the CLI's `restore <file>`): imported first, then restored. */
    restoreExternal: (file: string, opts: Partial<RestoreOptions> = {}) =>
      exclusive(async () => {
        const { manifest, verified } = await importFile(createReadStream(file), baseName(file));
        return restorer.restoreVerified(manifest, verified, { ...opts, safety: opts.safety ?? true });
      }),
    /** Checks a file anywhere (not stored): sound, and restorable into this database. */
    async verifyFile(file: string): Promise<VerifiedPayload & { notes: string[] }> {
      try {
        const v = await ctx.verifyPayload(file);
        return { ...v, notes: await ctx.checkRestorable(v.header) };
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
      exclusive(async () => (await importFile(body, opts.label ?? null, opts.expectedSha256)).manifest),
    /** At start (`mcps serve`): the partial files of killed processes of this machine (see cleanStaleTemp). */
    async cleanStaleTemp(): Promise<string[]> {
      return exclusive(async () => {
        const removed = await store.cleanStaleTemp();
        if (removed.length) log.info({ files: removed }, 'partial backup files of a stopped run removed');
        return removed;
      });
    },
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
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop()!.slice(0, 200);
}

export type BackupsService = ReturnType<typeof createBackupsService>;
