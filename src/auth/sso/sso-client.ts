import type * as oidc from 'openid-client';
import { AppError } from '../../http/app-error.js';
import type { OutboundGuard } from '../../lib/outbound-guard.js';
import type { SsoProviderRow } from './sso.table.js';

type OpenIdClient = typeof import('openid-client');
let loading: Promise<OpenIdClient> | null = null;
/** Set once the import below has finished: the classes `refusalOf` recognises. */
let loaded: OpenIdClient | null = null;

/** openid-client, imported on first use: a platform without SSO providers never loads it. */
export function importOpenIdClient(): Promise<OpenIdClient> {
  loading ??= import('openid-client').then((m) => (loaded = m));
  return loading;
}

/** What was discovered about a provider is reused this long (a changed provider is forgotten at once). */
const DISCOVERY_TTL_MS = 60 * 60 * 1000;

/** Plain http is accepted only for an issuer on this machine (a test or a local oidc-provider). */
export function insecureAllowed(issuer: string): boolean {
  const host = new URL(issuer).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/**
 * openid-client configurations of the providers: discovery, JWKS and token requests all go through the
 * outbound guard (DNS pinned, private addresses refused unless allowed); ID token signatures are always
 * checked against the provider's JWKS (non-repudiation checks on), not only issuer, audience and expiry.
 */
export function createSsoClients(deps: { guard: Pick<OutboundGuard, 'fetch'>; resolveSecret: (reference: string, provider: string) => Promise<string> }) {
  const cache = new Map<string, { key: string; at: number; config: Promise<oidc.Configuration> }>();
  const guardedFetch: oidc.CustomFetch = (url, options) => deps.guard.fetch(url, options as RequestInit);

  async function discover(p: SsoProviderRow): Promise<oidc.Configuration> {
    const openid = await importOpenIdClient();
    const secret = p.client_secret ? await deps.resolveSecret(p.client_secret, p.name) : undefined;
    const auth = secret ? openid.ClientSecretPost(secret) : openid.None();
    const execute = p.issuer.startsWith('http:') && insecureAllowed(p.issuer) ? [openid.allowInsecureRequests] : [];
    try {
      const config = await openid.discovery(new URL(p.issuer), p.client_id, undefined, auth, { [openid.customFetch]: guardedFetch, execute, timeout: 15 });
      config[openid.customFetch] = guardedFetch;
      openid.enableNonRepudiationChecks(config);
      return config;
    } catch (err) {
      throw refusalOf(err, `could not read the OpenID configuration of '${p.name}' (${p.issuer})`, 'bad_gateway');
    }
  }

  return {
    async configOf(p: SsoProviderRow): Promise<oidc.Configuration> {
      const key = `${p.id}\0${p.updated_at}`;
      const hit = cache.get(p.name);
      if (hit && hit.key === key && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.config;
      const config = discover(p);
      cache.set(p.name, { key, at: Date.now(), config });
      config.catch(() => cache.delete(p.name));
      return config;
    },
    forget(name: string): void {
      cache.delete(name);
    },
  };
}

export type SsoClients = ReturnType<typeof createSsoClients>;

/**
 * The error a person sees for a failed step: the outbound guard's own refusal unchanged; the
 * provider's error response, a token endpoint error or a refused ID token as 401 with what was wrong
 * (openid-client nests the precise reason in `cause`); anything else (unreachable, not JSON) as `fallback`.
 */
export function refusalOf(err: unknown, context: string, fallback: 'bad_gateway' | 'unauthorized'): AppError {
  const chain: Error[] = [];
  for (let e: unknown = err; e instanceof Error && chain.length < 5; e = e.cause) chain.push(e);
  const guard = chain.find((e): e is AppError => e instanceof AppError);
  if (guard) return new AppError(guard.code, `${context}: ${guard.message}`);
  const first = chain[0];
  // openid-client's errors exist only once it is loaded.
  if (loaded && (first instanceof loaded.AuthorizationResponseError || first instanceof loaded.ResponseBodyError)) {
    const { error, error_description } = first as { error: string; error_description?: string };
    return new AppError('unauthorized', `${context}: the provider answered ${error}${error_description ? ` (${error_description})` : ''}`);
  }
  const reasons = [...new Set(chain.map((e) => e.message).filter(Boolean))].join(': ');
  const code = first && 'code' in first && typeof first.code === 'string' && first.code.startsWith('OAUTH_') && !/NOT_CONFORM|NOT_JSON|PARSE/.test(first.code) ? 'unauthorized' : fallback;
  return new AppError(code, `${context}: ${reasons || 'unknown error'}`);
}
