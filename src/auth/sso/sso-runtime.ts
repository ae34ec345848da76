import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { OutboundGuard } from '../../lib/outbound-guard.js';
import type { AuditLog } from '../../logs/audit-log.js';
import type { SecretsService } from '../../secrets/secrets.service.js';
import type { TokenService } from '../tokens.js';
import type { UserRepository } from '../user.repository.js';
import { createSsoClients } from './sso-client.js';
import { createSsoLogin, type SsoLogin } from './sso-login.js';
import { createSsoProviders, type SsoProviders } from './sso-providers.js';
import { createSsoRepository } from './sso.repository.js';
import { createSsoUsers } from './sso-users.js';

export interface SsoRuntime {
  providers: SsoProviders;
  login: SsoLogin;
  /** Signs the platform's own access token (the console session) for a signed-in user. */
  tokens: Pick<TokenService, 'sign' | 'expiresInSeconds'>;
  /** False when the password sign-in is turned off (setting `auth.local_passwords`). */
  localPasswords: () => boolean;
  redirectUriOf(name: string): string;
}

/** Single sign-on for people: the providers, the relying-party flow, just-in-time users. */
export function createSsoRuntime(deps: {
  db: Kysely<Database>;
  guard: Pick<OutboundGuard, 'fetch' | 'check'>;
  secrets: Pick<SecretsService, 'resolve'>;
  audit: Pick<AuditLog, 'record'>;
  users: UserRepository;
  tokens: TokenService;
  publicUrl: string;
  apiPrefix: string;
  localPasswords: () => boolean;
}): SsoRuntime {
  const repo = createSsoRepository(deps.db);
  const base = deps.publicUrl.replace(/\/+$/, '');
  const redirectUriOf = (name: string) => `${base}${deps.apiPrefix}/auth/sso/${name}/callback`;
  const clients = createSsoClients({ guard: deps.guard, resolveSecret: (ref, name) => deps.secrets.resolve(ref, { reason: `sso provider ${name}` }) });
  const providers = createSsoProviders({ repo, guard: deps.guard, redirectUriOf, changed: (name) => clients.forget(name) });
  const login = createSsoLogin({ repo, providers, clients, users: createSsoUsers({ repo, users: deps.users }), audit: deps.audit, redirectUriOf, postLogoutUri: `${base}/` });
  return { providers, login, tokens: deps.tokens, localPasswords: deps.localPasswords, redirectUriOf };
}
