import type Provider from 'oidc-provider';
import { RESOURCE_SCOPES, SERVER_SCOPE_PREFIX, serverScopeOf, serverScopesIn } from './mcp-resources.js';

/** What of oidc-provider's request context the server scopes need. */
export interface ScopeContext {
  oidc: {
    params?: { scope?: unknown };
    client?: { clientId: string };
    session?: { grantIdFor(clientId: string): string | undefined };
    result?: { consent?: { grantId?: string } };
    entities: { AuthorizationCode?: { scope?: string }; RefreshToken?: { scope?: string } };
  };
}

type InvalidScope = new (description: string, scope: string) => Error;

const split = (scope: unknown): string[] => (typeof scope === 'string' ? scope.split(' ').filter(Boolean) : []);

/**
 * The scopes a gateway resource offers to this request: `mcp`, `mcp:admin`, and the `mcp:server:<name>`
 * scopes the request carries (asked for at authorization, held by the code or refresh token being
 * exchanged). oidc-provider keeps only the scopes a resource offers, so the server scopes are offered
 * per request; dropping one would widen the token. A server scope naming no valid server is refused
 * (invalid_scope).
 */
export function resourceScopesOf(ctx: ScopeContext, InvalidScopeError: InvalidScope): string {
  const { params, entities } = ctx.oidc;
  const asked = serverScopesIn(split(params?.scope));
  if (asked.malformed.length > 0) throw new InvalidScopeError(`'${asked.malformed[0]}' names no MCP server (${SERVER_SCOPE_PREFIX}<server name>)`, asked.malformed.join(' '));
  const held = serverScopesIn([...split(entities.AuthorizationCode?.scope), ...split(entities.RefreshToken?.scope)]).servers;
  const servers = [...new Set([...asked.servers, ...held])];
  return [...RESOURCE_SCOPES, ...servers.map(serverScopeOf)].join(' ');
}

/**
 * Refuses (invalid_scope) a refresh whose `scope` leaves out every server scope its refresh token holds:
 * the new access token would reach every server. Run from oidc-provider's `rotateRefreshToken`, the
 * last hook before the refresh token is used up, so the refused client keeps its refresh token.
 */
export function refuseWideningRefresh(ctx: ScopeContext, InvalidScopeError: InvalidScope): void {
  const { params, entities } = ctx.oidc;
  const held = serverScopesIn(split(entities.RefreshToken?.scope)).servers;
  if (held.length === 0 || split(params?.scope).length === 0) return;
  if (serverScopesIn(split(params?.scope)).servers.length === 0)
    throw new InvalidScopeError('this refresh token is limited to MCP servers: ask for at least one of its server scopes', held.map(serverScopeOf).join(' '));
}

/**
 * The grant a new authorization request of this client may build on (oidc-provider's
 * `loadExistingGrant`): the one just consented to, else the browser session's, unless that one holds
 * server scopes. Reusing it would skip consent for what it lacks, so a later request for plain `mcp`
 * would reach every server without anyone agreeing to that; such a request gets a new grant and asks.
 */
export async function reusableGrant(provider: Pick<Provider, 'Grant'>, ctx: ScopeContext) {
  const consented = ctx.oidc.result?.consent?.grantId;
  if (consented) return provider.Grant.find(consented);
  const clientId = ctx.oidc.client?.clientId;
  const grantId = clientId ? ctx.oidc.session?.grantIdFor(clientId) : undefined;
  const grant = grantId ? await provider.Grant.find(grantId) : undefined;
  const limited = Object.values(grant?.resources ?? {}).some((scope) => serverScopesIn(split(scope)).servers.length > 0);
  return limited ? undefined : grant;
}
