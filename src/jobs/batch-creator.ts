import type { Kysely } from 'kysely';
import { createApiKeyRepository } from '../auth/api-key.repository.js';
import { apiKeyPrincipal, apiKeyRefusal, callerLabel, type Principal, userPrincipal } from '../auth/principal.js';
import { createUserRepository } from '../auth/user.repository.js';
import type { Database } from '../db/database.js';
import { EVERY_SERVER, type ServerScope } from '../gateway/access/server-access.js';
import { AppError } from '../http/app-error.js';
import { localCaller, principalCaller, type SecretCaller } from '../secrets/secret-caller.js';
import type { JobBatchRow } from './jobs.table.js';

export interface RunAs {
  caller: SecretCaller;
  callerLabel: string | null;
  scope: ServerScope;
}

/** The servers a principal may reach (the gateway's access rules); every server when absent. */
export type ScopeFor = (principal: Principal) => Promise<ServerScope>;

/**
 * Who an item runs as: the batch's creator as they are now. A user disabled or deleted, an API key
 * revoked or expired, stops the batch's items (forbidden, not retried); a lowered role applies at once.
 * Local callers (CLI, the platform) are trusted, as everywhere.
 */
export function createBatchCreators(db: Kysely<Database>, scopeFor?: ScopeFor) {
  const users = createUserRepository(db);
  const keys = createApiKeyRepository(db);

  async function principalOf(b: Pick<JobBatchRow, 'creator_type' | 'creator_id'>): Promise<Principal> {
    const gone = (what: string) => new AppError('forbidden', `the batch's creator ${what}: its items no longer run`);
    if (b.creator_type === 'user') {
      const user = b.creator_id ? await users.findById(b.creator_id) : undefined;
      if (!user || user.disabled_at) throw gone('is disabled or deleted');
      return userPrincipal(user);
    }
    const key = b.creator_id ? await keys.findById(b.creator_id) : undefined;
    if (!key) throw gone('(an API key) is deleted');
    const owner = await users.findById(key.user_id);
    const refusal = apiKeyRefusal(key, owner);
    if (refusal) throw gone(`(an API key) is ${refusal.replace('_', ' ')}`);
    return apiKeyPrincipal(key, owner!);
  }

  return {
    async runAs(b: Pick<JobBatchRow, 'creator_type' | 'creator_id' | 'creator_name'>): Promise<RunAs> {
      if (b.creator_type !== 'user' && b.creator_type !== 'api_key') {
        return { caller: localCaller(b.creator_type === 'system' ? 'system' : 'cli', b.creator_name ?? 'cli'), callerLabel: b.creator_name ?? null, scope: EVERY_SERVER };
      }
      const p = await principalOf(b);
      return { caller: principalCaller(p), callerLabel: callerLabel(p), scope: scopeFor ? await scopeFor(p) : EVERY_SERVER };
    },
  };
}

export type BatchCreators = ReturnType<typeof createBatchCreators>;
