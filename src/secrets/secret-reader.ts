import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../http/app-error.js';
import type { SecretDecryptor } from './secret-decryptor.js';
import { type ResolvedSecret, resolveReferencesTracked } from './secret-reference.js';
import type { SecretRow, SecretVersionRow } from './secret.table.js';
import { createSecretsRepository } from './secrets.repository.js';

export interface RevealedSecret {
  name: string;
  version: number;
  value: string;
}

type Located = { secret: SecretRow; row: SecretVersionRow } | { problem: string };

/**
 * Reads values: one version for an explicit reveal, or every `${secret:...}` in a configuration at the
 * moment of use. Deleted secrets, destroyed versions and versions past their overlap window are not
 * readable. Each read stamps the secret's `last_used_at`.
 */
export function createSecretReader(deps: { db: Kysely<Database>; decryptor: SecretDecryptor; now: () => Date }) {
  const repo = createSecretsRepository(deps.db);

  async function locate(name: string, version: number | undefined): Promise<Located> {
    const secret = await repo.findByName(name);
    if (!secret || secret.deleted_at !== null) return { problem: `Secret '${name}' not found` };
    const v = version ?? secret.current_version;
    const row = await repo.findVersion(secret.id, v);
    if (!row) return { problem: `Secret '${name}' version ${v} not found` };
    if (row.destroyed_at !== null) return { problem: `Secret '${name}' version ${v} was destroyed` };
    if (row.expires_at !== null && row.expires_at <= deps.now().toISOString())
      return { problem: `Secret '${name}' version ${v} expired at ${row.expires_at} (its rotation overlap window ended)` };
    return { secret, row };
  }

  const open = (found: { secret: SecretRow; row: SecretVersionRow }) =>
    deps.decryptor.decrypt(found.row, { secretId: found.secret.id, name: found.secret.name, version: found.row.version });

  return {
    /** Throws AppError `not_found` (with the reason) or `internal` (cannot decrypt). */
    async reveal(name: string, version: number | undefined): Promise<RevealedSecret> {
      const found = await locate(name, version);
      if ('problem' in found) throw new AppError('not_found', found.problem);
      const value = open(found);
      await repo.touchLastUsed([found.secret.id], deps.now().toISOString());
      return { name: found.secret.name, version: found.row.version, value };
    },

    /** resolveReferencesTracked with this store as the lookup. */
    async resolve<T>(input: T): Promise<{ value: T; secrets: ResolvedSecret[] }> {
      const used = new Set<string>();
      const result = await resolveReferencesTracked(input, async (name, version) => {
        const found = await locate(name, version);
        if ('problem' in found) return undefined;
        const value = open(found);
        used.add(found.secret.id);
        return value;
      });
      await repo.touchLastUsed([...used], deps.now().toISOString());
      return result;
    },
  };
}

export type SecretReader = ReturnType<typeof createSecretReader>;
