import type * as oidc from 'openid-client';
import { AppError } from '../../http/app-error.js';
import type { AuditLog } from '../../logs/audit-log.js';
import type { UserRow } from '../user.table.js';
import { importOpenIdClient, refusalOf, type SsoClients } from './sso-client.js';
import type { SsoProviders } from './sso-providers.js';
import type { SsoRepository } from './sso.repository.js';
import type { IdClaims, SsoUsers } from './sso-users.js';

/** A sign-in must come back from the provider within this time. */
export const LOGIN_TTL_MS = 10 * 60 * 1000;

export interface CallbackInput {
  name: string;
  /** The query string of the callback as received (`code`, `state`, `iss`, or `error`). */
  search: string;
  /** The state this browser started with (its cookie): binds the response to the browser that asked. */
  browserState: string | null;
  ip: string;
}

/**
 * The authorization code flow with PKCE (S256), state and nonce, as the relying party: `start` keeps the
 * state, nonce and verifier (one row, used once) and sends the browser to the provider; `finish` takes
 * that row back by state, and openid-client checks the response (state, RFC 9207 `iss` when present or
 * required, error responses), redeems the code and validates the ID token (signature by JWKS, issuer,
 * audience, expiry, nonce). Every refusal is one operation-log row and a clear 4xx.
 */
export function createSsoLogin(deps: {
  repo: SsoRepository;
  providers: SsoProviders;
  clients: SsoClients;
  users: SsoUsers;
  audit: Pick<AuditLog, 'record'>;
  redirectUriOf: (name: string) => string;
  postLogoutUri: string;
}) {
  const { repo, clients } = deps;

  async function enabled(name: string) {
    const p = await deps.providers.found(name);
    if (p.enabled !== 1) throw new AppError('forbidden', `single sign-on with '${name}' is turned off`);
    return p;
  }

  async function refused(name: string, ip: string, err: unknown): Promise<never> {
    const e = err instanceof AppError ? err : refusalOf(err, 'sign-in refused', 'unauthorized');
    await deps.audit.record({ actor: { type: 'anonymous' }, action: 'auth.sso.login', target: { type: 'sso_provider', id: name }, outcome: 'failure', statusCode: e.status, ip, details: { provider: name, reason: e.message } });
    throw e;
  }

  async function redeem(input: CallbackInput): Promise<{ user: UserRow; created: boolean; idToken: string }> {
    const p = await enabled(input.name);
    const params = new URLSearchParams(input.search);
    const state = params.get('state');
    if (!state) throw new AppError('bad_request', 'the provider\'s response carries no state');
    if (input.browserState !== state) throw new AppError('bad_request', 'the state does not belong to a sign-in started in this browser (start again from the sign-in page)');
    const login = await repo.takeLogin(state);
    if (!login || login.provider_id !== p.id) throw new AppError('bad_request', 'unknown or already used state (start again from the sign-in page)');
    if (Date.parse(login.expires_at) < Date.now()) throw new AppError('bad_request', 'the sign-in took too long (start again from the sign-in page)');
    const config = await clients.configOf(p);
    const current = new URL(deps.redirectUriOf(p.name));
    current.search = params.toString();
    const openid = await importOpenIdClient();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await openid.authorizationCodeGrant(config, current, { pkceCodeVerifier: login.code_verifier, expectedState: state, expectedNonce: login.nonce, idTokenExpected: true });
    } catch (err) {
      throw refusalOf(err, `sign-in with ${p.display_name} refused`, 'unauthorized');
    }
    const claims = tokens.claims() as IdClaims | undefined;
    if (!claims || !tokens.id_token) throw new AppError('unauthorized', 'the provider returned no ID token');
    const { user, created } = await deps.users.signIn(p, claims);
    if (user.disabled_at) throw new AppError('forbidden', `user '${user.username}' is disabled on this platform`);
    return { user, created, idToken: tokens.id_token };
  }

  return {
    /** The provider's authorization URL for a new sign-in, and the state to bind to the browser. */
    async start(name: string, ip: string): Promise<{ url: string; state: string }> {
      try {
        const p = await enabled(name);
        const config = await clients.configOf(p);
        const openid = await importOpenIdClient();
        const [state, nonce, verifier] = [openid.randomState(), openid.randomNonce(), openid.randomPKCECodeVerifier()];
        const now = Date.now();
        await repo.pruneLogins(new Date(now).toISOString());
        await repo.insertLogin({ state, provider_id: p.id, nonce, code_verifier: verifier, created_at: new Date(now).toISOString(), expires_at: new Date(now + LOGIN_TTL_MS).toISOString() });
        const url = openid.buildAuthorizationUrl(config, {
          redirect_uri: deps.redirectUriOf(p.name),
          scope: p.scopes,
          state,
          nonce,
          code_challenge: await openid.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
        });
        return { url: url.href, state };
      } catch (err) {
        return refused(name, ip, err);
      }
    },

    /** Finishes a sign-in: the user (created on first sign-in) and the ID token, or throws (audited). */
    async finish(input: CallbackInput): Promise<{ user: UserRow; idToken: string }> {
      try {
        const { user, created, idToken } = await redeem(input);
        const actor = { type: 'user' as const, id: user.id, name: user.username };
        if (created) await deps.audit.record({ actor, action: 'user.create', target: { type: 'user', id: user.id }, outcome: 'success', ip: input.ip, details: { provider: input.name, role: user.role, just_in_time: true } });
        await deps.audit.record({ actor, action: 'auth.sso.login', target: { type: 'user', id: user.id }, outcome: 'success', statusCode: 302, ip: input.ip, details: { provider: input.name, role: user.role } });
        return { user, idToken };
      } catch (err) {
        return refused(input.name, input.ip, err);
      }
    },

    /** Where to end the session at the provider too (RP-initiated logout), or null when it offers none. */
    async endSessionUrl(name: string, idToken: string | null): Promise<string | null> {
      const p = await repo.findProvider(name);
      if (!p) return null;
      const config = await clients.configOf(p).catch(() => null);
      if (!config?.serverMetadata().end_session_endpoint) return null;
      const params: Record<string, string> = { client_id: p.client_id, post_logout_redirect_uri: deps.postLogoutUri };
      if (idToken) params['id_token_hint'] = idToken;
      return (await importOpenIdClient()).buildEndSessionUrl(config, params).href;
    },
  };
}

export type SsoLogin = ReturnType<typeof createSsoLogin>;
