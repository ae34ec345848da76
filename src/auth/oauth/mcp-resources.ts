import { SERVER_NAME } from '../../servers/server-definition.js';

/** The scopes the platform's tokens carry (docs/AUTH.md, "Scopes"). */
export const MCP_SCOPE = 'mcp';
export const MCP_ADMIN_SCOPE = 'mcp:admin';
export const RESOURCE_SCOPES = [MCP_SCOPE, MCP_ADMIN_SCOPE] as const;

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
