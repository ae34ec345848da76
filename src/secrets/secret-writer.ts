import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../http/app-error.js';
import { newId } from '../lib/ids.js';
import type { SecretMetadata } from './secret-metadata.js';
import type { SecretDecryptor } from './secret-decryptor.js';
import { planRetention } from './secret-retention.js';
import type { SecretRow, SecretUpdate } from './secret.table.js';
import { createSecretsRepository, type SecretsRepository } from './secrets.repository.js';

export interface SecretsConfig {
  /** Versions kept per secret unless it sets its own limit. */
  maxVersions: number;
  /** How long a rotated-out version stays readable. */
  overlapMs: number;
}

export interface NewVersionOptions {
  /** Check-and-set: the version the caller expects to be current. */
  cas?: number | undefined;
  /** Set for a rotation: the reason is recorded and the previous version's overlap window starts. */
  rotationReason?: string | undefined;
}

/** Raced writers retry this often before giving up (without check-and-set only). */
const MAX_ATTEMPTS = 5;

/**
 * Writes secret values: a new secret with version 1, or a new version of an existing one. Each write is
 * one transaction that also applies the retention policy. Values are validated by the caller.
 */
export function createSecretWriter(deps: { db: Kysely<Database>; decryptor: SecretDecryptor; config: SecretsConfig; now: () => Date }) {
  const { db, decryptor, config } = deps;
  const repo = createSecretsRepository(db);

  return {
    async create(name: string, value: string, meta: SecretMetadata, author: string | null): Promise<SecretRow> {
      const existing = await repo.findByName(name);
      if (existing) throw alreadyExists(existing);
      const at = deps.now().toISOString();
      const row: SecretRow = {
        id: newId(),
        name,
        description: meta.description,
        tags: JSON.stringify(meta.tags),
        current_version: 1,
        max_versions: meta.max_versions,
        deleted_at: null,
        created_at: at,
        updated_at: at,
        last_used_at: null,
        last_rotated_at: null,
        rotation_reason: null,
      };
      try {
        await db.transaction().execute(async (trx) => {
          const r = createSecretsRepository(trx);
          await r.insertSecret(row);
          await r.insertVersion({
            secret_id: row.id,
            version: 1,
            ...decryptor.encrypt(value, { secretId: row.id, name, version: 1 }),
            created_at: at,
            created_by: author,
            destroyed_at: null,
            expires_at: null,
          });
        });
      } catch (err) {
        // Two creators racing for one name: the unique index decides.
        const other = await repo.findByName(name);
        if (other) throw alreadyExists(other);
        throw err;
      }
      return row;
    },

    /**
     * Stores `value` as the next version. Concurrent writers are ordered by a conditional UPDATE on
     * `current_version`: with `cas`, the loser gets 409; without, it retries on the new version.
     */
    async addVersion(name: string, value: string, opts: NewVersionOptions, author: string | null): Promise<{ row: SecretRow; version: number }> {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const written = await db.transaction().execute(async (trx) => {
          const r = createSecretsRepository(trx);
          const s = await r.findByName(name);
          if (!s || s.deleted_at !== null) throw new AppError('not_found', `Secret '${name}' not found`);
          if (opts.cas !== undefined && opts.cas !== s.current_version)
            throw new AppError('conflict', `Check-and-set failed: secret '${name}' is at version ${s.current_version}, not ${opts.cas}`, {
              current_version: s.current_version,
            });
          const now = deps.now();
          const at = now.toISOString();
          const version = s.current_version + 1;
          const patch: SecretUpdate = {
            current_version: version,
            updated_at: at,
            ...(opts.rotationReason !== undefined ? { last_rotated_at: at, rotation_reason: opts.rotationReason } : {}),
          };
          if (!(await r.advanceVersion(s.id, s.current_version, patch))) return null;
          await r.insertVersion({
            secret_id: s.id,
            version,
            ...decryptor.encrypt(value, { secretId: s.id, name, version }),
            created_at: at,
            created_by: author,
            destroyed_at: null,
            expires_at: null,
          });
          if (opts.rotationReason !== undefined)
            await r.expireVersion(s.id, s.current_version, new Date(now.getTime() + config.overlapMs).toISOString());
          await applyRetention(r, s.id, version, s.max_versions ?? config.maxVersions, at);
          return { row: { ...s, ...patch } as SecretRow, version };
        });
        if (written) return written;
        if (opts.cas !== undefined)
          throw new AppError('conflict', `Check-and-set failed: secret '${name}' changed meanwhile (expected version ${opts.cas})`);
      }
      throw new AppError('conflict', `Secret '${name}' is being changed by others; try again`);
    },

    /** Applies the retention policy now (after a limit change, or to wipe versions whose window ended). */
    async prune(secret: SecretRow): Promise<void> {
      await db.transaction().execute(async (trx) =>
        applyRetention(createSecretsRepository(trx), secret.id, secret.current_version, secret.max_versions ?? config.maxVersions, deps.now().toISOString()),
      );
    },
  };
}

export type SecretWriter = ReturnType<typeof createSecretWriter>;

async function applyRetention(r: SecretsRepository, secretId: string, current: number, maxVersions: number, now: string): Promise<void> {
  const plan = planRetention(await r.listVersionMeta(secretId), { current, maxVersions, now });
  await r.destroyVersions(secretId, plan.destroy, now);
  await r.deleteVersions(secretId, plan.delete);
}

function alreadyExists(existing: SecretRow): AppError {
  return existing.deleted_at === null
    ? new AppError('conflict', `Secret '${existing.name}' already exists; add a version with PUT or rotate it`)
    : new AppError('conflict', `Secret '${existing.name}' exists but is deleted; restore it first`);
}
