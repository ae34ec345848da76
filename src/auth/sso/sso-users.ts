import { AppError } from '../../http/app-error.js';
import { nowIso } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { ROLE_RANK, type Role } from '../roles.js';
import type { UserRepository } from '../user.repository.js';
import type { UserRow } from '../user.table.js';
import type { SsoRepository } from './sso.repository.js';
import type { SsoProviderRow } from './sso.table.js';

export type IdClaims = Record<string, unknown> & { sub: string };

/** A claim by name, or by a dotted path for nested ones (Keycloak's `realm_access.roles`). */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (path in claims) return claims[path];
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), claims);
}

/** The highest role the provider's groups claim maps to, or null when none does (or none is configured). */
export function mappedRole(p: Pick<SsoProviderRow, 'groups_claim' | 'role_map'>, claims: Record<string, unknown>): Role | null {
  if (!p.groups_claim) return null;
  const map = JSON.parse(p.role_map) as Record<string, Role>;
  const value = claimAt(claims, p.groups_claim);
  const values = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  let best: Role | null = null;
  for (const v of values) {
    const role = map[v];
    if (role && (!best || ROLE_RANK[role] > ROLE_RANK[best])) best = role;
  }
  return best;
}

// eslint-disable-next-line no-control-regex
const USABLE_USERNAME = /^[^\u0000-\u001f\u007f\s]{1,64}$/;

/**
 * Who a verified ID token is on this platform. An identity reaches an account only through the
 * (provider, `sub`) link table; a new one is linked to an existing local user only when the admin
 * enabled `link_by_email` and the provider says the email is verified (the username must be that
 * email); otherwise a user is created (just in time) and never takes over a local account: a taken
 * username gets `@provider` appended. The role follows the groups mapping at every sign-in when a value
 * maps, else a new user gets the provider's default role.
 */
export function createSsoUsers(deps: { repo: SsoRepository; users: Pick<UserRepository, 'findById' | 'findByUsername' | 'insert' | 'update'> }) {
  const { repo, users } = deps;

  async function linked(p: SsoProviderRow, claims: IdClaims, role: Role | null, at: string, email: string | null): Promise<UserRow | null> {
    const identity = await repo.findIdentity(p.id, claims.sub);
    if (!identity) return null;
    const user = await users.findById(identity.user_id);
    if (!user) return null;
    if (user.disabled_at) throw new AppError('forbidden', `user '${user.username}' is disabled on this platform`);
    const patch = { last_login_at: at, ...(role && role !== user.role ? { role, updated_at: at } : {}) };
    await users.update(user.id, patch);
    await repo.touchIdentity(p.id, claims.sub, at, email);
    return { ...user, ...patch };
  }

  async function newUsername(p: SsoProviderRow, claims: IdClaims): Promise<string> {
    const base = claimAt(claims, p.username_claim);
    if (typeof base !== 'string' || !USABLE_USERNAME.test(base)) {
      throw new AppError('unauthorized', `the ID token has no usable '${p.username_claim}' claim to name the user (change the provider's username_claim)`);
    }
    for (const candidate of [base, `${base}@${p.name}`]) {
      if (candidate.length <= 64 && !(await users.findByUsername(candidate))) return candidate;
    }
    throw new AppError('conflict', `a local user '${base}' exists and is not linked to this ${p.display_name} identity (an admin can enable link_by_email, or rename it)`);
  }

  return {
    /** The user for these verified claims, created or linked on first sign-in; `created` tells which. */
    async signIn(p: SsoProviderRow, claims: IdClaims): Promise<{ user: UserRow; created: boolean }> {
      const at = nowIso();
      const role = mappedRole(p, claims);
      const email = typeof claims['email'] === 'string' ? claims['email'] : null;
      const known = await linked(p, claims, role, at, email);
      if (known) return { user: known, created: false };

      if (p.link_by_email === 1 && email && claims['email_verified'] === true) {
        const local = await users.findByUsername(email);
        if (local) {
          await repo.insertIdentity({ provider_id: p.id, subject: claims.sub, user_id: local.id, email, created_at: at, last_login_at: at });
          return { user: (await linked(p, claims, role, at, email))!, created: false };
        }
      }

      const row: UserRow = {
        id: newId(),
        username: await newUsername(p, claims),
        // No password: such a user signs in through the provider only ('!' never verifies).
        password_hash: '!',
        role: role ?? p.default_role,
        disabled_at: null,
        password_changed_at: at,
        last_login_at: at,
        created_at: at,
        updated_at: at,
      };
      await users.insert(row);
      await repo.insertIdentity({ provider_id: p.id, subject: claims.sub, user_id: row.id, email, created_at: at, last_login_at: at });
      return { user: row, created: true };
    },
  };
}

export type SsoUsers = ReturnType<typeof createSsoUsers>;
