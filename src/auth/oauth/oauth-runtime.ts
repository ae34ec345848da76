import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { OAuthConfig } from '../../config.js';
import type { Database } from '../../db/database.js';
import type { OutboundGuard } from '../../lib/outbound-guard.js';
import type { AuditLog } from '../../logs/audit-log.js';
import type { UserRepository } from '../user.repository.js';
import { type AuthorizationServer, type AuthorizationServerDeps, createAuthorizationServer } from './authorization-server.js';
import { createBearerTokens, type BearerTokens } from './bearer-tokens.js';
import { createDelegateTokens } from './delegate-tokens.js';
import { createMcpResources, type McpResources } from './mcp-resources.js';

export interface OAuthRuntime {
  /** The platform's authorization server, built on first use (null when MCPS_OAUTH_SERVER=false). */
  server: AuthorizationServer | null;
  bearer: BearerTokens;
  resources: McpResources;
  /** The issuers named in the Protected Resource Metadata. */
  authorizationServers: readonly string[];
  /** Where the sign-in and consent pages find users. */
  users: Pick<UserRepository, 'findById'>;
}

/** Builds OAuth for the gateway: the authorization server, delegate mode and the resource server. Reads nothing yet. */
export function createOAuthRuntime(deps: {
  db: Kysely<Database>;
  secrets: AuthorizationServerDeps['secrets'];
  secretKey: string;
  users: UserRepository;
  guard: Pick<OutboundGuard, 'fetch'>;
  config: OAuthConfig;
  publicUrl: string;
  trustProxy: boolean;
  audit: Pick<AuditLog, 'record'>;
  log: Pick<Logger, 'warn' | 'error'>;
}): OAuthRuntime {
  const resources = createMcpResources(deps.publicUrl);
  const server = deps.config.server ? createAuthorizationServer({ ...deps, resources }) : null;
  const delegate = deps.config.delegate ? createDelegateTokens({ config: deps.config.delegate, guard: deps.guard, users: deps.users }) : null;
  const authorizationServers = [...(delegate ? [delegate.issuer] : []), ...(server ? [server.issuer] : [])];
  return { server, users: deps.users, bearer: createBearerTokens({ server, delegate, resources, users: deps.users, audit: deps.audit }), resources, authorizationServers };
}
