import type { ApiKeyRow } from './api-key.table.js';
import { ROLE_RANK, type Role } from './roles.js';
import type { UserRow } from './user.table.js';

/** Who is making a request: a logged-in user (JWT) or an API key acting for the user who made it. */
export interface Principal {
  type: 'user' | 'api_key';
  /** The user's id, or the API key's id. */
  id: string;
  /** Username, or the API key's name. */
  name: string;
  role: Role;
  /** The user this principal acts for (the key's owner for API keys). */
  userId: string;
}

export function userPrincipal(user: Pick<UserRow, 'id' | 'username' | 'role'>): Principal {
  return { type: 'user', id: user.id, name: user.username, role: user.role, userId: user.id };
}

/** An API key acting for its owner: never above the owner's current role. */
export function apiKeyPrincipal(key: Pick<ApiKeyRow, 'id' | 'name' | 'role' | 'user_id'>, owner: Pick<UserRow, 'role'>): Principal {
  const role = ROLE_RANK[key.role] <= ROLE_RANK[owner.role] ? key.role : owner.role;
  return { type: 'api_key', id: key.id, name: key.name, role, userId: key.user_id };
}
