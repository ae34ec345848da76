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
  /** Set when the user acts through an OAuth access token: the client it was issued to and its limits. */
  oauth?: OAuthGrantInfo;
}

/** What an OAuth access token adds to its user: the client, the scopes, and the servers it is limited to. */
export interface OAuthGrantInfo {
  /** The issuer: the platform's own authorization server or the delegated one. */
  issuer: string;
  clientId: string;
  /** The client's name when it registered one (shown on consent and in the protocol log). */
  clientName: string | null;
  scopes: readonly string[];
  /** Server names the token is limited to (its resource `/mcp/{server}`, its `mcp:server:<name>` scopes); null: every server. */
  servers: readonly string[] | null;
}

/**
 * `user:<name>` or `api_key:<name>`: who a principal is in the protocol log, in sessions and as an author;
 * `user:<name> oauth:<client>` when the user acts through an OAuth client.
 */
export function callerLabel(p: Pick<Principal, 'type' | 'name' | 'oauth'>): string {
  const base = `${p.type}:${p.name}`;
  return p.oauth ? `${base} oauth:${p.oauth.clientName ?? p.oauth.clientId}` : base;
}

/** Why an API key may not act now, or null when it may: the one rule of API-key validity. */
export function apiKeyRefusal(
  key: Pick<ApiKeyRow, 'revoked_at' | 'expires_at'>,
  owner: Pick<UserRow, 'disabled_at'> | null | undefined,
): 'revoked' | 'expired' | 'owner_disabled' | null {
  if (key.revoked_at) return 'revoked';
  if (key.expires_at && key.expires_at <= new Date().toISOString()) return 'expired';
  if (!owner || owner.disabled_at) return 'owner_disabled';
  return null;
}

export function userPrincipal(user: Pick<UserRow, 'id' | 'username' | 'role'>): Principal {
  return { type: 'user', id: user.id, name: user.username, role: user.role, userId: user.id };
}

/** An API key acting for its owner: never above the owner's current role. */
export function apiKeyPrincipal(key: Pick<ApiKeyRow, 'id' | 'name' | 'role' | 'user_id'>, owner: Pick<UserRow, 'role'>): Principal {
  const role = ROLE_RANK[key.role] <= ROLE_RANK[owner.role] ? key.role : owner.role;
  return { type: 'api_key', id: key.id, name: key.name, role, userId: key.user_id };
}
