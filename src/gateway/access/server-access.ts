import type { Principal } from '../../auth/principal.js';
import { AppError } from '../../http/app-error.js';
import { ALLOW_ALL, globToLike, serverAllowed, toolAllowed, type Allowlist } from './allowlist.js';
import type { KeyPolicies } from './key-policies.js';
import { fullName, namespacedName } from '../catalogue/tool-names.js';

/**
 * What a caller may see of the MCP servers: the one answer every face asks (/mcp, the REST routes
 * under `/tools/{id}`, server lists, status and metrics, publications, the protocol log). An API
 * key's allowlists bind it everywhere alike; a server it may not see is answered exactly like one
 * that does not exist (404, or absent from a list). Users logged in with a password see every server.
 */
export interface ServerScope {
  /** The server-name globs the caller is limited to; null: every server. */
  readonly servers: readonly string[] | null;
  sees(server: string): boolean;
  /** Whether the caller may call `tool` of `server` (the server's visibility included). */
  mayCall(server: string, tool: string): boolean;
}

export function scopeOf(list: Allowlist, separator: string): ServerScope {
  return {
    servers: list.servers,
    sees: (server) => serverAllowed(list, server),
    mayCall: (server, tool) => toolAllowed(list, server, { full: fullName(server, tool, separator), exposed: namespacedName(server, tool, separator) }),
  };
}

export const EVERY_SERVER: ServerScope = scopeOf(ALLOW_ALL, '__');

/** Refuses a caller limited to some servers a view that spans every server (the system log, /metrics). */
export function requireEveryServer(scope: ServerScope, what: string): void {
  if (scope.servers !== null) throw new AppError('forbidden', `this API key is limited to some MCP servers; ${what} covers every server`);
}

/** Keeps the items whose server the caller sees; items of no server (null) stay. */
export function visibleOnly<T>(scope: ServerScope, items: readonly T[], serverOf: (item: T) => string | null): T[] {
  return scope.servers === null ? [...items] : items.filter((i) => serverOf(i) === null || scope.sees(serverOf(i)!));
}

/**
 * SQL `LIKE` patterns (escape `\`) matching exactly the server names the scope sees, or null for
 * every server. Globs that can match no valid server name are dropped, so an empty list means none.
 */
export function serverLikePatterns(scope: ServerScope): string[] | null {
  return scope.servers === null ? null : scope.servers.flatMap((g) => globToLike(g) ?? []);
}

export function createServerAccess(deps: { policies: Pick<KeyPolicies, 'allowlistFor'>; separator: string }) {
  return {
    async scopeFor(principal: Principal | null): Promise<ServerScope> {
      return principal ? scopeOf(await deps.policies.allowlistFor(principal), deps.separator) : EVERY_SERVER;
    },
  };
}

export type ServerAccess = ReturnType<typeof createServerAccess>;
