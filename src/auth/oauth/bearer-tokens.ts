import { decodeJwt, decodeProtectedHeader } from 'jose';
import { AppError } from '../../http/app-error.js';
import type { AuditLog } from '../../logs/audit-log.js';
import { looksLikeApiKey } from '../api-key-secret.js';
import type { Principal } from '../principal.js';
import { ROLE_RANK, type Role } from '../roles.js';
import type { UserRepository } from '../user.repository.js';
import type { AuthorizationServer } from './authorization-server.js';
import type { DelegateTokens } from './delegate-tokens.js';
import { MCP_ADMIN_SCOPE, MCP_SCOPE, reachesGateway, reachOf, serverScopesIn, type McpResources } from './mcp-resources.js';
import { TokenRefusal } from './token-refusal.js';

/** The platform's own session tokens (src/auth/tokens.ts): left to the auth service. */
const PLATFORM_SESSION_ISSUER = 'mcps-one';
/** What a token acts as at most with the `mcp` scope alone. */
const MCP_ROLE_CAP: Role = 'operator';

export interface RequestFacts {
  path: string;
  ip: string;
  requestId: string;
}

/**
 * The gateway as an OAuth resource server: turns a bearer access token sent to `/mcp` or
 * `/mcp/{server}` into a principal, or refuses it (401 invalid_token / 403 insufficient_scope, audited).
 * Returns null for credentials that are not OAuth tokens (API keys, the platform's own session tokens),
 * which the auth service handles as before. A token is accepted only for the resource it was issued for.
 */
export function createBearerTokens(deps: {
  server: AuthorizationServer | null;
  delegate: DelegateTokens | null;
  resources: McpResources;
  users: Pick<UserRepository, 'findById'>;
  audit: Pick<AuditLog, 'record'>;
}) {
  const { server, delegate, resources } = deps;

  async function verify(credential: string, resource: string): Promise<Principal> {
    const issuer = unverifiedIssuer(credential);
    if (issuer !== null) {
      if (delegate && issuer === delegate.issuer) {
        const { claims, user, role } = await delegate.verify(credential, resource);
        const clientId = String(claims['azp'] ?? claims['client_id'] ?? claims['appid'] ?? 'unknown');
        const scopes = typeof claims['scope'] === 'string' ? claims['scope'].split(' ') : typeof claims['scp'] === 'string' ? claims['scp'].split(' ') : [];
        return principalOf(user, role, { issuer, clientId, clientName: null, scopes, servers: reachedServers(resource, scopes) });
      }
      throw new TokenRefusal('invalid_token', 'the token was not issued by an authorization server this platform trusts');
    }
    if (!server) throw new TokenRefusal('invalid_token', 'unknown access token');
    // Cannot start (signing keys unreadable): an `unavailable` error saying why, not a refusal of the token.
    const provider = await server.get();
    const token = await provider.AccessToken.find(credential);
    if (!token || token.isExpired) throw new TokenRefusal('invalid_token', 'the access token is unknown, expired or revoked');
    const audiences = Array.isArray(token.aud) ? token.aud : token.aud ? [token.aud] : [];
    if (!audiences.includes(resource)) throw new TokenRefusal('invalid_token', `the access token was issued for another resource, not ${resource}`);
    const scopes = (token.scope ?? '').split(' ').filter(Boolean);
    if (!reachesGateway(scopes)) throw new TokenRefusal('insufficient_scope', `the access token lacks the '${MCP_SCOPE}' scope`);
    const servers = reachedServers(resource, scopes);
    const user = await deps.users.findById(token.accountId);
    if (!user || user.disabled_at) throw new TokenRefusal('invalid_token', 'the token’s user is unknown or disabled');
    const cap = scopes.includes(MCP_ADMIN_SCOPE) ? user.role : MCP_ROLE_CAP;
    const role = ROLE_RANK[cap] < ROLE_RANK[user.role] ? cap : user.role;
    const client = await provider.Client.find(token.clientId);
    return principalOf(user, role, { issuer: server.issuer, clientId: token.clientId, clientName: client?.clientName ?? null, scopes, servers });
  }

  /**
   * The servers a token reaches (docs/AUTH.md, "Scopes"): its resource narrowed by its `mcp:server:<name>`
   * scopes, applied as an API key's server allowlist is. Refuses a server scope naming no valid server,
   * and a resource `/mcp/{x}` that the server scopes leave out.
   */
  function reachedServers(resource: string, scopes: readonly string[]): readonly string[] | null {
    const { servers, malformed } = serverScopesIn(scopes);
    if (malformed.length > 0) throw new TokenRefusal('insufficient_scope', `the scope '${malformed[0]}' names no MCP server`);
    const reach = reachOf(resources.serversOf(resource) ?? null, servers);
    if (reach === 'outside') throw new TokenRefusal('insufficient_scope', `the access token is limited to the MCP servers ${servers.join(', ')}; ${resource} is none of them`);
    return reach;
  }

  return {
    /** A principal for an OAuth token on a gateway path; null when the credential is no OAuth token or the path no resource. */
    async authenticate(credential: string, facts: RequestFacts): Promise<Principal | null> {
      const resource = resources.resourceOfPath(facts.path);
      if (!resource || looksLikeApiKey(credential) || unverifiedIssuer(credential) === PLATFORM_SESSION_ISSUER) return null;
      try {
        return await verify(credential, resource);
      } catch (err) {
        // Anything else is broken infrastructure (the database): a 500, never a principal.
        if (!(err instanceof TokenRefusal)) throw err;
        const refusal = err;
        await deps.audit.record({
          actor: { type: 'anonymous' },
          action: 'oauth.token_refused',
          target: { type: 'oauth_resource', id: resource },
          outcome: 'failure',
          statusCode: refusal.error === 'invalid_token' ? 401 : 403,
          ip: facts.ip,
          requestId: facts.requestId,
          details: { error: refusal.error, reason: refusal.message },
        });
        throw new AppError(refusal.error === 'invalid_token' ? 'unauthorized' : 'forbidden', refusal.message, { oauthError: refusal.error });
      }
    },
  };
}

function principalOf(user: { id: string; username: string }, role: Role, oauth: NonNullable<Principal['oauth']>): Principal {
  return { type: 'user', id: user.id, name: user.username, role, userId: user.id, oauth };
}

/** The `iss` of a JWT-shaped credential (not verified: only to choose who verifies it), else null. */
function unverifiedIssuer(credential: string): string | null {
  if (credential.split('.').length !== 3) return null;
  try {
    decodeProtectedHeader(credential);
    const iss = decodeJwt(credential).iss;
    return typeof iss === 'string' ? iss : '';
  } catch {
    return '';
  }
}

export type BearerTokens = ReturnType<typeof createBearerTokens>;
