import { createHash } from 'node:crypto';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import type Provider from 'oidc-provider';
import type { OAuthConfig } from '../../config.js';
import type { Database } from '../../db/database.js';
import type { OutboundGuard } from '../../lib/outbound-guard.js';
import type { UserRepository } from '../user.repository.js';
import { type McpResources, MCP_ADMIN_SCOPE, MCP_SCOPE } from './mcp-resources.js';
import { oauthStoreAdapter } from './oauth-store.adapter.js';
import { importOidcProvider } from './oidc-provider-import.js';
import { refuseWideningRefresh, resourceScopesOf, reusableGrant, type ScopeContext } from './server-scope-grants.js';

export const OAUTH_MOUNT = '/oauth';

export interface OAuthProviderDeps {
  db: Kysely<Database>;
  /** The private signing keys (signing-keys.ts). */
  keys: JWK[];
  secretKey: string;
  users: Pick<UserRepository, 'findById'>;
  resources: McpResources;
  guard: Pick<OutboundGuard, 'fetch'>;
  config: OAuthConfig;
  trustProxy: boolean;
}

/**
 * The platform's authorization server: oidc-provider (a certified implementation) configured for the
 * MCP authorization flow: authorization code with PKCE (S256, required), Dynamic Client Registration,
 * Client ID Metadata Documents (fetched through the outbound guard), resource indicators (a token is for
 * one resource: `/mcp` or `/mcp/{server}`), server scopes (`mcp:server:<name>`: server-scope-grants.ts),
 * refresh tokens rotated on every use (a reused one revokes the grant), revocation, short-lived opaque access tokens. Sign-in and consent are the platform's own
 * pages (oauth-interactions.routes.ts). Built on first use (oauth-runtime.ts), which imports the library.
 */
export async function createOAuthProvider(deps: OAuthProviderDeps): Promise<Provider> {
  const { resources, config } = deps;
  const { default: OidcProvider, errors } = await importOidcProvider();
  const cookieKey = createHash('sha256').update(`mcps-one/oauth-cookies/v1\0${deps.secretKey}`).digest('base64url');

  const provider = new OidcProvider(`${resources.base}${OAUTH_MOUNT}`, {
    adapter: oauthStoreAdapter(deps.db),
    jwks: { keys: deps.keys },
    cookies: { keys: [cookieKey] },
    scopes: ['openid', 'offline_access', MCP_SCOPE, MCP_ADMIN_SCOPE],
    claims: { openid: ['sub'] },
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientDefaults: { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' },
    findAccount: async (_ctx: unknown, id: string) => {
      const user = await deps.users.findById(id);
      if (!user || user.disabled_at) return undefined;
      return { accountId: id, claims: async () => ({ sub: id }) };
    },
    loadExistingGrant: (ctx: ScopeContext) => reusableGrant(provider, ctx),
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `${OAUTH_MOUNT}/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      // A client revokes its own tokens only (RFC 7009 section 2.1).
      revocation: { enabled: true, allowedPolicy: async (_ctx: unknown, client: { clientId: string }, token: { clientId?: string }) => token.clientId === client.clientId },
      clientIdMetadataDocument: { enabled: true, ack: 'draft-02' },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string) => oneOf ?? `${resources.base}/mcp`,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx: ScopeContext, resource: string) => {
          if (resources.serversOf(resource) === undefined) throw new errors.InvalidTarget!('the resource is not an MCP endpoint of this platform');
          return { scope: resourceScopesOf(ctx, errors.InvalidScope!), audience: resource, accessTokenTTL: config.accessTokenSeconds, accessTokenFormat: 'opaque' };
        },
      },
    },
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: (ctx: ScopeContext) => {
      refuseWideningRefresh(ctx, errors.InvalidScope!);
      return true;
    },
    ttl: {
      AccessToken: config.accessTokenSeconds,
      AuthorizationCode: 60,
      IdToken: config.accessTokenSeconds,
      Interaction: 600,
      Session: 24 * 3600,
      Grant: config.refreshTokenSeconds,
      RefreshToken: config.refreshTokenSeconds,
    },
    // Client ID Metadata Documents and a client's jwks_uri are user-given URLs: the outbound guard
    // fetches them (a private or metadata address is refused unless MCPS_OUTBOUND_ALLOW says so).
    fetch: (url: string | URL, options: RequestInit & { dispatcher?: unknown }) => {
      const { dispatcher: _ignored, ...rest } = options;
      return deps.guard.fetch(url, rest);
    },
    renderError: async (ctx: { type: string; body: string }, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = errorPage(out);
    },
  });
  provider.proxy = deps.trustProxy;
  return provider;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function errorPage(out: Record<string, string>): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in error</title></head><body><h1>Sign-in error</h1><p><code>${escapeHtml(out['error'] ?? 'error')}</code>: ${escapeHtml(out['error_description'] ?? '')}</p></body></html>`;
}
