import type { Kysely } from 'kysely';
import { createApiKeyRepository } from '../auth/api-key.repository.js';
import { apiKeyPrincipal, apiKeyRefusal, type Principal, userPrincipal } from '../auth/principal.js';
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
      const owner = await users.findById(key.user_id);
      const refusal = apiKeyRefusal(key, owner);
      if (refusal) throw new AppError('forbidden', refusalMessage(refusal, key.name));
      return apiKeyPrincipal(key, owner!);
    },
  };
}

function refusalMessage(refusal: NonNullable<ReturnType<typeof apiKeyRefusal>>, name: string): string {
  if (refusal === 'revoked') return `API key '${name}' is revoked`;
  if (refusal === 'expired') return `API key '${name}' has expired`;
  return `the owner of API key '${name}' is disabled`;
}
