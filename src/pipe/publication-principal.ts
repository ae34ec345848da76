import type { Kysely } from 'kysely';
import { createApiKeyRepository } from '../auth/api-key.repository.js';
import { apiKeyPrincipal, type Principal, userPrincipal } from '../auth/principal.js';
import { createUserRepository } from '../auth/user.repository.js';
import type { Database } from '../db/database.js';
import { AppError } from '../http/app-error.js';

/**
 * Whose rights a publication's gateway session has, read afresh at every (re)connection: a
 * disabled user, or a revoked or expired API key, stops serving the endpoint at once. An API key
 * never acts above its owner's current role (as in auth.service.ts).
 */
export function createPrincipalResolver(db: Kysely<Database>) {
  const users = createUserRepository(db);
  const apiKeys = createApiKeyRepository(db);
  return {
    async resolve(type: 'user' | 'api_key', id: string): Promise<Principal> {
      if (type === 'user') {
        const user = await users.findById(id);
        if (!user || user.disabled_at) throw new AppError('forbidden', 'the user who published this is disabled or deleted');
        return userPrincipal(user);
      }
      const key = await apiKeys.findById(id);
      if (!key) throw new AppError('not_found', `API key '${id}' not found`);
      if (key.revoked_at) throw new AppError('forbidden', `API key '${key.name}' is revoked`);
      if (key.expires_at && key.expires_at <= new Date().toISOString()) throw new AppError('forbidden', `API key '${key.name}' has expired`);
      const owner = await users.findById(key.user_id);
      if (!owner || owner.disabled_at) throw new AppError('forbidden', `the owner of API key '${key.name}' is disabled`);
      return apiKeyPrincipal(key, owner);
    },
  };
}
