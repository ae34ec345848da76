import { AppError } from '../http/app-error.js';
import { asAppError, type BackupContext } from './backup-context.js';
import type { BackupWriter } from './backup-create.js';
import type { BackupManifest } from './backup-format.js';
import { restorePayload } from './restore-payload.js';
import type { VerifiedPayload } from './verify-payload.js';

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

/** Checking stored backups in full and restoring them (verify first, safety backup, one transaction). */
export function createBackupRestorer(ctx: BackupContext, writer: BackupWriter) {
  const { deps } = ctx;
  const { store, log } = deps;

  /** A full read of a stored file, compared with its manifest. */
  const verifyStored = async (m: BackupManifest): Promise<{ manifest: BackupManifest; verified: VerifiedPayload }> => {
    let v;
    try {
      v = await ctx.verifyPayload(store.payloadPath(m.id));
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
      await ctx.checkRestorable(verified.header);
    } catch (err) {
      throw asAppError(err);
    }
    const safety = opts.safety ? await writer.create('safety', `before restoring ${restored.id}`) : null;
    let result;
    try {
      result = await restorePayload(deps.db, deps.dialect, store.payloadPath(restored.id), {
        limits: ctx.limits,
        knownMigrations: ctx.knownMigrations,
        onStart: opts.onStart,
      });
    } catch (err) {
      throw asAppError(err);
    }
    log.warn({ lifecycle: true, backup: restored.id, safety: safety?.id, rows: result.rowCounts }, 'database restored from a backup');
    if (deps.onRestored && opts.notify !== false) await deps.onRestored().catch((err: unknown) => log.error({ err }, 'after restore: restarting managed servers failed'));
    return { restored, safety, row_counts: result.rowCounts, notes: result.notes };
  };

  return { verifyStored, restoreVerified };
}
