import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type Provider from 'oidc-provider';
import type { OAuthConfig } from '../../config.js';
import type { Database } from '../../db/database.js';
import type { OutboundGuard } from '../../lib/outbound-guard.js';
import type { AuditLog } from '../../logs/audit-log.js';
import type { MasterKeyRing } from '../../secrets/master-keys.js';
import type { UserRepository } from '../user.repository.js';
import { createBearerTokens, type BearerTokens } from './bearer-tokens.js';
import { createDelegateTokens } from './delegate-tokens.js';
import { createMcpResources, type McpResources } from './mcp-resources.js';
import { createOAuthProvider, OAUTH_MOUNT } from './oauth-provider.js';

export interface OAuthRuntime {
  /** The platform's authorization server (null when MCPS_OAUTH_SERVER=false). */
  provider: Provider | null;
  bearer: BearerTokens;
  resources: McpResources;
  /** The issuers named in the Protected Resource Metadata. */
  authorizationServers: readonly string[];
  /** Where the sign-in and consent pages find users. */
  users: Pick<UserRepository, 'findById'>;
}

/** Events of the authorization server that refuse a request: each is one operation-log row. */
const REFUSAL_EVENTS = ['authorization.error', 'grant.error', 'registration_create.error', 'revocation.error', 'backchannel.error'] as const;

/** Builds OAuth for the gateway: the authorization server, delegate mode and the resource server. */
export async function createOAuthRuntime(deps: {
  db: Kysely<Database>;
  ring: MasterKeyRing;
  secretKey: string;
  users: UserRepository;
  guard: Pick<OutboundGuard, 'fetch'>;
  config: OAuthConfig;
  publicUrl: string;
  trustProxy: boolean;
  audit: Pick<AuditLog, 'record'>;
  log: Pick<Logger, 'warn' | 'error'>;
}): Promise<OAuthRuntime> {
  const resources = createMcpResources(deps.publicUrl);
  const provider = deps.config.server
    ? await createOAuthProvider({ db: deps.db, ring: deps.ring, secretKey: deps.secretKey, users: deps.users, resources, guard: deps.guard, config: deps.config, trustProxy: deps.trustProxy })
    : null;
  if (provider) auditRefusals(provider, deps);
  const delegate = deps.config.delegate ? createDelegateTokens({ config: deps.config.delegate, guard: deps.guard, users: deps.users }) : null;
  const authorizationServers = [...(delegate ? [delegate.issuer] : []), ...(provider ? [`${resources.base}${OAUTH_MOUNT}`] : [])];
  return { provider, users: deps.users, bearer: createBearerTokens({ provider, delegate, resources, users: deps.users, audit: deps.audit }), resources, authorizationServers };
}

function auditRefusals(provider: Provider, deps: { audit: Pick<AuditLog, 'record'>; log: Pick<Logger, 'warn' | 'error'> }): void {
  for (const event of REFUSAL_EVENTS) {
    provider.on(event, (ctx: { ip?: string; oidc?: { client?: { clientId?: string } }; status?: number }, err: Error & { error?: string; error_description?: string; status?: number }) => {
      void deps.audit.record({
        actor: { type: 'anonymous' },
        action: `oauth.${event.replace('.error', '').replace('_create', '')}`,
        target: { type: 'oauth_client', id: ctx.oidc?.client?.clientId ?? null },
        outcome: 'failure',
        statusCode: err.status ?? null,
        ip: ctx.ip ?? null,
        details: { error: err.error ?? 'server_error', reason: err.error_description ?? err.message },
      });
    });
  }
  provider.on('server_error', (_ctx: unknown, err: Error) => deps.log.error({ err }, 'oauth: authorization server error'));
}
