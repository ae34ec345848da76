import { AppError } from '../http/app-error.js';
import { assertPermitted, type SecretCaller } from './secret-caller.js';
import type { SecretDetail } from './secret-view.js';
import type { SecretsContext } from './secrets-context.js';

/** Deleting (softly) and restoring secrets, and wiping old versions for good. Each is audited. */
export function createSecretRemoval(ctx: SecretsContext) {
  const { audited, repo, events, find, now } = ctx;
  return {
    /** Soft delete: the secret stops resolving and leaves lists; its versions are kept for a restore. */
    async delete(name: string, caller: SecretCaller): Promise<void> {
      return audited(caller, { action: 'secret.delete', name }, async () => {
        assertPermitted(caller, 'secrets:write');
        const row = await find(name, { deleted: 'exclude' });
        const at = now().toISOString();
        await repo.update(row.id, { deleted_at: at, updated_at: at });
        events.emit('secret.deleted', { name: row.name, version: row.current_version });
      });
    },

    async restore(name: string, caller: SecretCaller): Promise<SecretDetail> {
      return audited(caller, { action: 'secret.restore', name }, async () => {
        assertPermitted(caller, 'secrets:write');
        const row = await find(name, { deleted: 'include' });
        if (row.deleted_at === null) throw new AppError('conflict', `Secret '${name}' is not deleted`);
        const at = now().toISOString();
        await repo.update(row.id, { deleted_at: null, updated_at: at });
        events.emit('secret.restored', { name: row.name, version: row.current_version });
        return ctx.detail({ ...row, deleted_at: null, updated_at: at });
      });
    },

    /** Wipes one version's ciphertext for good (its metadata stays). The current version cannot be destroyed. */
    async destroyVersion(name: string, version: number, caller: SecretCaller): Promise<void> {
      return audited(caller, { action: 'secret.destroy_version', name, details: { version } }, async () => {
        assertPermitted(caller, 'secrets:write');
        const row = await find(name, { deleted: 'include' });
        if (!(await repo.findVersion(row.id, version))) throw new AppError('not_found', `Secret '${name}' version ${version} not found`);
        if (version === row.current_version)
          throw new AppError('conflict', `Version ${version} is the current version of secret '${name}'; update or rotate it first`);
        await repo.destroyVersions(row.id, [version], now().toISOString());
      });
    },
  };
}
