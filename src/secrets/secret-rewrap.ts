import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../http/app-error.js';
import type { StoredCiphertext } from './envelope.js';
import type { SecretDecryptor } from './secret-decryptor.js';
import { createSecretsRepository, type RewrapCandidate, type VersionKey } from './secrets.repository.js';

export interface RewrapOptions {
  /** Versions per transaction (default 100). */
  batchSize?: number;
  /** Checked before each batch: an aborted run stops between batches, leaving a consistent state. */
  signal?: AbortSignal;
  /** Called after each committed batch. */
  onBatch?: (progress: { rewrapped: number; failed: number }) => void;
}

export interface RewrapFailure {
  name: string;
  version: number;
  kek_version: string;
  message: string;
}

export interface RewrapReport {
  /** The master key version everything is being moved to. */
  kek_version: string;
  rewrapped: number;
  failed: RewrapFailure[];
  /** Live versions still under another master key after this run (failures included). */
  remaining: number;
  aborted: boolean;
}

/**
 * Re-wraps every live version's data key under the newest master key, without decrypting values. Works
 * in batches, each its own transaction, and each row is replaced only if unchanged since it was read, so
 * the run can be interrupted at any point and simply started again: it picks up whatever is still under
 * an older key. Rows that cannot be unwrapped (missing or wrong old key) are reported, not retried.
 */
export async function rewrapSecrets(deps: { db: Kysely<Database>; decryptor: SecretDecryptor }, opts: RewrapOptions = {}): Promise<RewrapReport> {
  const { db, decryptor } = deps;
  const target = decryptor.currentKekVersion;
  const batchSize = opts.batchSize ?? 100;
  const repo = createSecretsRepository(db);
  const report: RewrapReport = { kek_version: target, rewrapped: 0, failed: [], remaining: 0, aborted: false };
  let after: VersionKey | undefined;

  for (;;) {
    if (opts.signal?.aborted) {
      report.aborted = true;
      break;
    }
    const rows = await repo.findVersionsToRewrap(target, after, batchSize);
    if (rows.length === 0) break;
    const last = rows.at(-1)!;
    after = { secretId: last.secret_id, version: last.version };

    const ready: { row: RewrapCandidate; next: StoredCiphertext }[] = [];
    for (const row of rows) {
      try {
        ready.push({ row, next: decryptor.rewrap(row, { secretId: row.secret_id, name: row.name, version: row.version }) });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        report.failed.push({ name: row.name, version: row.version, kek_version: row.kek_version, message: err.message });
      }
    }
    const done = await db.transaction().execute(async (trx) => {
      const r = createSecretsRepository(trx);
      let n = 0;
      for (const { row, next } of ready) {
        const from = { kek_version: row.kek_version, wrapped_dek: row.wrapped_dek! };
        if (await r.replaceWrap({ secretId: row.secret_id, version: row.version }, from, { kek_version: next.kek_version, wrapped_dek: next.wrapped_dek })) n++;
      }
      return n;
    });
    report.rewrapped += done;
    opts.onBatch?.({ rewrapped: report.rewrapped, failed: report.failed.length });
  }
  report.remaining = await repo.countVersionsToRewrap(target);
  return report;
}
