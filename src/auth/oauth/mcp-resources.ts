import { SERVER_NAME } from '../../servers/server-definition.js';

/** The scopes the platform's tokens carry (docs/AUTH.md, "Scopes"). */
export const MCP_SCOPE = 'mcp';
export const MCP_ADMIN_SCOPE = 'mcp:admin';
export const RESOURCE_SCOPES = [MCP_SCOPE, MCP_ADMIN_SCOPE] as const;
/** `mcp:server:<name>`: the token reaches only the servers so named (a server name, exactly). */
export const SERVER_SCOPE_PREFIX = 'mcp:server:';

export const serverScopeOf = (server: string): string => `${SERVER_SCOPE_PREFIX}${server}`;

/**
 * The server names of the `mcp:server:<name>` scopes among `scopes`, and those of that form that name
 * no valid server (`mcp:server:`, `mcp:server:Bad!`), which are refused.
 */
export function serverScopesIn(scopes: Iterable<string>): { servers: string[]; malformed: string[] } {
  const servers: string[] = [];
  const malformed: string[] = [];
  for (const scope of scopes) {
    if (!scope.startsWith(SERVER_SCOPE_PREFIX)) continue;
    const name = scope.slice(SERVER_SCOPE_PREFIX.length);
    if (SERVER_NAME.test(name)) servers.push(name);
    else malformed.push(scope);
  }
  return { servers: [...new Set(servers)], malformed };
}

/** Whether `scopes` let a token use the gateway at all: `mcp`, `mcp:admin`, or a server scope (which implies `mcp`). */
export function reachesGateway(scopes: readonly string[]): boolean {
  return scopes.some((s) => s === MCP_SCOPE || s === MCP_ADMIN_SCOPE || s.startsWith(SERVER_SCOPE_PREFIX));
}

/**
 * The servers a token reaches: its resource (`/mcp/{x}`: x only; `/mcp`: null) narrowed by its server
 * scopes (none: no narrowing). `outside` when the resource is a server the scopes leave out: such a
 * token reaches nothing and is refused. Never wider than either; the user's own limits apply on top.
 */
export function reachOf(resourceServers: readonly string[] | null, scopeServers: readonly string[]): readonly string[] | null | 'outside' {
  if (scopeServers.length === 0) return resourceServers;
  if (resourceServers === null) return scopeServers;
  const both = resourceServers.filter((s) => scopeServers.includes(s));
  return both.length > 0 ? both : 'outside';
}

/**
 * The gateway's protected resources (RFC 9728 / RFC 8707): `<public>/mcp` (every server the user may
 * use) and `<public>/mcp/{server}` (that one server). A token is issued for exactly one of them.
 */
export function createMcpResources(publicUrl: string) {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    base,
    /** The resource identifier of a request path (`/mcp`, `/mcp/{server}`, their `/sse` forms), or null. */
    resourceOfPath(path: string): string | null {
      // Asked on every authenticated request: most paths are API paths, answered at once.
      if (!path.startsWith('/mcp') && !path.startsWith('/sse')) return null;
      const p = path.split('?')[0]!.replace(/\/+$/, '');
      if (p === '/mcp' || p === '/sse') return `${base}/mcp`;
      const m = /^\/(?:mcp|sse)\/([^/]+)$/.exec(p);
      return m && SERVER_NAME.test(m[1]!) ? `${base}/mcp/${m[1]}` : null;
    },
    /** Which servers a resource identifier is limited to: null for `/mcp`; undefined when it is none of ours. */
    serversOf(resource: string): readonly string[] | null | undefined {
      if (resource === `${base}/mcp`) return null;
      const prefix = `${base}/mcp/`;
      if (!resource.startsWith(prefix)) return undefined;
      const name = resource.slice(prefix.length);
      return SERVER_NAME.test(name) ? [name] : undefined;
    },
    /** Where the Protected Resource Metadata of a resource is served (RFC 9728 section 3.1). */
    metadataUrlOf(resource: string): string {
      return `${base}/.well-known/oauth-protected-resource${new URL(resource).pathname}`;
    },
  };
}

export type McpResources = ReturnType<typeof createMcpResources>;
