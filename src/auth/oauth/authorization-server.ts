import type { Logger } from 'pino';
import type Provider from 'oidc-provider';
import type { AuditLog } from '../../logs/audit-log.js';
import type { SecretsService } from '../../secrets/secrets.service.js';
import { auditOAuth } from './oauth-audit.js';
import { createOAuthProvider, OAUTH_MOUNT, type OAuthProviderDeps } from './oauth-provider.js';
import { loadSigningKeys, SIGNING_KEYS_SECRET, type SigningKeySecrets } from './signing-keys.js';

/** A failed build (keys that cannot be decrypted) is tried again after this long, not on every request. */
const RETRY_AFTER_MS = 30_000;

export interface AuthorizationServer {
  /** `<public>/oauth`, known without building the server. */
  readonly issuer: string;
  /** The server, built on the first call; rejects with an AppError saying why OAuth is unavailable. */
  get(): Promise<Provider>;
}

export type AuthorizationServerDeps = Omit<OAuthProviderDeps, 'keys'> & {
  secrets: SigningKeySecrets & Pick<SecretsService, 'events'>;
  audit: Pick<AuditLog, 'record'>;
  log: Pick<Logger, 'warn' | 'error'>;
  now?: () => number;
};

/**
 * The platform's authorization server, built on first use: the first request under /oauth, to an
 * authorization server metadata address, or with an OAuth token on /mcp. Starting the platform (and
 * every CLI command) therefore neither imports oidc-provider nor reads the signing keys, so a master key
 * that cannot read them makes OAuth unavailable (503 saying why), never the platform. When the keys'
 * secret changes (rotated, updated, restored or deleted, here or in another process: the secret change
 * watcher) the server is built again on next use, with the new keys; grants, tokens and sessions live
 * in the database and carry over.
 */
export function createAuthorizationServer(deps: AuthorizationServerDeps): AuthorizationServer {
  const now = deps.now ?? Date.now;
  let built: Promise<Provider> | null = null;
  let failedAt: number | null = null;
  /** The secret version the built server signs with; the versions announced while a build runs. */
  let inUse: number | null = null;
  let announced: (number | null)[] | null = null;

  async function build(): Promise<Provider> {
    announced = [];
    try {
      const { keys, version } = await loadSigningKeys(deps.secrets);
      const provider = await createOAuthProvider({ ...deps, keys });
      auditOAuth(provider, deps);
      inUse = version;
      // Changed by someone else meanwhile (our own write is announced last, with the version we use): build again next time.
      if (announced.length > 0 && announced.at(-1) !== version) built = null;
      return provider;
    } finally {
      announced = null;
    }
  }

  /** `version` null: deleted (new keys on next use). */
  function changed(version: number | null): void {
    if (announced) announced.push(version);
    else if (version === null || version !== inUse) {
      built = null;
      failedAt = null;
    }
  }
  const { events } = deps.secrets;
  for (const name of ['secret.created', 'secret.updated', 'secret.rotated', 'secret.restored'] as const)
    events.on(name, (e) => (e.name === SIGNING_KEYS_SECRET ? changed(e.version) : undefined));
  events.on('secret.deleted', (e) => (e.name === SIGNING_KEYS_SECRET ? changed(null) : undefined));

  return {
    issuer: `${deps.resources.base}${OAUTH_MOUNT}`,
    get() {
      if (built && (failedAt === null || now() - failedAt < RETRY_AFTER_MS)) return built;
      failedAt = null;
      const attempt = build();
      built = attempt;
      attempt.catch((err: unknown) => {
        if (built === attempt) failedAt = now();
        deps.log.error({ err }, 'oauth: the authorization server cannot start');
      });
      return attempt;
    },
  };
}
