import { type Permission, roleHas } from '../auth/permissions.js';
import type { Principal } from '../auth/principal.js';
import type { Role } from '../auth/roles.js';
import { AppError } from '../http/app-error.js';
import type { AuditEntry } from '../logs/audit-log.js';

/**
 * Who calls the secrets service: a principal (REST, MCP tools), whose role is checked against the
 * permission matrix by the service itself, or a local operator (CLI) or the platform (resolving
 * references at start of a server), which are trusted and have no role.
 */
export interface SecretCaller {
  actor: AuditEntry['actor'];
  role?: Role;
  ip?: string | null;
  requestId?: string | null;
}

export function principalCaller(principal: Principal, request: { ip?: string; requestId?: string } = {}): SecretCaller {
  return {
    actor: { type: principal.type, id: principal.id, name: principal.name },
    role: principal.role,
    ip: request.ip ?? null,
    requestId: request.requestId ?? null,
  };
}

export function localCaller(type: 'cli' | 'system', name: string): SecretCaller {
  return { actor: { type, name } };
}

/** The platform itself, e.g. resolving `${secret:...}` when a managed server starts. */
export const SYSTEM_CALLER: SecretCaller = Object.freeze(localCaller('system', 'mcps'));

export function assertPermitted(caller: SecretCaller, permission: Permission): void {
  if (caller.role !== undefined && !roleHas(caller.role, permission))
    throw new AppError('forbidden', `role '${caller.role}' lacks permission '${permission}'`);
}

/** How a version's author is recorded. */
export function authorOf(caller: SecretCaller): string | null {
  return caller.actor.name ?? caller.actor.id ?? null;
}
