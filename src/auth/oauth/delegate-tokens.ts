import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload } from 'jose';
import type { OAuthDelegateConfig } from '../../config.js';
import type { OutboundGuard } from '../../lib/outbound-guard.js';
import { newId } from '../../lib/ids.js';
import { nowIso } from '../../lib/clock.js';
import { ROLE_RANK, type Role } from '../roles.js';
import type { UserRepository } from '../user.repository.js';
import type { UserRow } from '../user.table.js';
import { TokenRefusal } from './token-refusal.js';

/** Algorithms accepted from the external issuer; `none` and HMAC never are. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/**
 * Delegate mode: access tokens from an external authorization server (Keycloak, Entra ID...), checked
 * by signature against the issuer's JWKS (fetched through the outbound guard, re-fetched when a token
 * names a key not seen yet: key rotation), issuer, audience, expiry and not-before. The user is found
 * by a claim (created on first use when allowed) and acts with the role its group claim maps to, never
 * above the user's own role.
 */
export function createDelegateTokens(deps: {
  config: OAuthDelegateConfig;
  guard: Pick<OutboundGuard, 'fetch'>;
  users: Pick<UserRepository, 'findByUsername' | 'insert'>;
  /** How long after a JWKS fetch a token naming an unknown key may trigger another (jose's cooldown). */
  jwksCooldownMs?: number;
}) {
  const { config } = deps;
  let jwks: ReturnType<typeof createRemoteJWKSet> | null = null;

  async function keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (jwks) return jwks;
    const url = config.jwksUrl ?? (await discoverJwksUrl());
    jwks = createRemoteJWKSet(new URL(url), { [customFetch]: (u: string, init: RequestInit) => deps.guard.fetch(u, init), cooldownDuration: deps.jwksCooldownMs ?? 30_000 } as Parameters<typeof createRemoteJWKSet>[1]);
    return jwks;
  }

  async function discoverJwksUrl(): Promise<string> {
    const res = await deps.guard.fetch(`${config.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { headers: { accept: 'application/json' } });
    const body = res.ok ? ((await res.json()) as { jwks_uri?: unknown }) : {};
    if (typeof body.jwks_uri !== 'string') throw new TokenRefusal('invalid_token', "the delegated issuer's metadata names no jwks_uri (set MCPS_OAUTH_DELEGATE_JWKS_URL)");
    return body.jwks_uri;
  }

  return {
    issuer: config.issuer,
    /** The verified claims and the user of a delegated token for `resource`; throws TokenRefusal. */
    async verify(token: string, resource: string): Promise<{ claims: JWTPayload; user: UserRow; role: Role }> {
      let claims: JWTPayload;
      try {
        ({ payload: claims } = await jwtVerify(token, await keySet(), { issuer: config.issuer, audience: config.audience ?? resource, algorithms: ALGORITHMS }));
      } catch (err) {
        throw new TokenRefusal('invalid_token', reasonOf(err));
      }
      const username = claimAt(claims, config.usernameClaim);
      if (typeof username !== 'string' || username.length === 0) throw new TokenRefusal('invalid_token', `the token has no '${config.usernameClaim}' claim`);
      const mapped = mappedRole(claimAt(claims, config.rolesClaim));
      if (!mapped) throw new TokenRefusal('insufficient_scope', `no value of the '${config.rolesClaim}' claim maps to a role (MCPS_OAUTH_DELEGATE_ROLE_MAP)`);
      const user = (await deps.users.findByUsername(username)) ?? (config.createUsers ? await createUser(username, mapped) : undefined);
      if (!user || user.disabled_at) throw new TokenRefusal('invalid_token', `user '${username}' is unknown or disabled on this platform`);
      return { claims, user, role: ROLE_RANK[mapped] <= ROLE_RANK[user.role] ? mapped : user.role };
    },
  };

  function mappedRole(value: unknown): Role | null {
    const values = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(/[\s,]+/) : [];
    let best: Role | null = null;
    for (const v of values) {
      const role = config.roleMap[v];
      if (role && (!best || ROLE_RANK[role] > ROLE_RANK[best])) best = role;
    }
    return best;
  }

  async function createUser(username: string, role: Role): Promise<UserRow> {
    const at = nowIso();
    // No password: such a user signs in only through the identity provider ('!' never verifies).
    const row: UserRow = { id: newId(), username, password_hash: '!', role, disabled_at: null, password_changed_at: at, last_login_at: at, created_at: at, updated_at: at };
    await deps.users.insert(row);
    return row;
  }
}

/** A claim by name, or by a dotted path for nested ones (Keycloak's `realm_access.roles`). */
function claimAt(claims: JWTPayload, path: string): unknown {
  if (path in claims) return claims[path];
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), claims);
}

function reasonOf(err: unknown): string {
  if (err instanceof TokenRefusal) return err.message;
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `the token's '${err.claim}' claim is not valid here (${err.reason})`;
  if (err instanceof errors.JWKSNoMatchingKey) return 'the token is signed by a key the issuer does not publish';
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return 'the token is signed with an algorithm that is not accepted';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  return 'the token is not valid';
}

export type DelegateTokens = ReturnType<typeof createDelegateTokens>;
