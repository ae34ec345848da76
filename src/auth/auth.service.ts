import { AppError } from '../http/app-error.js';
import { type Page, decodeCursor, toPage } from '../http/pagination.js';
import type { Logger } from 'pino';
import { nowIso } from '../lib/clock.js';
import type { AuditLog } from '../logs/audit-log.js';
import { newId } from '../lib/ids.js';
import { createApiKeyCache } from './api-key-cache.js';
import { displayPrefix, generateApiKey, hashApiKey, looksLikeApiKey } from './api-key-secret.js';
import type { ApiKeyRepository } from './api-key.repository.js';
import type { ApiKeyRow } from './api-key.table.js';
import type { LoginAttemptRepository } from './login-attempt.repository.js';
import { createLoginLockout } from './login-lockout.js';
import { dummyPasswordHash, verifyPassword } from './password.js';
import { apiKeyPrincipal, apiKeyRefusal, type Principal, userPrincipal } from './principal.js';
import { ROLE_RANK, type Role } from './roles.js';
import type { TokenService } from './tokens.js';
import type { UserRepository } from './user.repository.js';
import type { UserRow } from './user.table.js';

/** last_used_at is written at most this often per key, to keep authentication read-only. */
const TOUCH_INTERVAL_MS = 60 * 1000;
/** What a refused API key is told (401): the same words whatever the face. */
const KEY_REFUSALS = { revoked: 'API key revoked', expired: 'API key expired', owner_disabled: 'API key owner is disabled' } as const;

export interface PublicApiKey {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  user_id: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  created_at: string;
}

function toPublicKey(k: ApiKeyRow): PublicApiKey {
  const { key_hash: _hash, ...rest } = k;
  return rest;
}

export interface AuthServiceDeps {
  users: UserRepository;
  apiKeys: ApiKeyRepository;
  loginAttempts: LoginAttemptRepository;
  tokens: TokenService;
  maxFailures: number;
  /** Where lockouts are alerted (system log warning, `auth.lockout` operation-log row). */
  log?: Pick<Logger, 'warn'>;
  audit?: Pick<AuditLog, 'record'>;
  /** False: password sign-in is turned off (setting `auth.local_passwords`); people sign in with single sign-on. */
  localPasswords?: () => boolean;
  /** How long a verified API key is trusted without reading it again (default API_KEY_CACHE_TTL_MS). */
  apiKeyCacheTtlMs?: number;
}

export function createAuthService(deps: AuthServiceDeps) {
  const { users, apiKeys, loginAttempts, tokens } = deps;
  const verifiedKeys = createApiKeyCache({ ttlMs: deps.apiKeyCacheTtlMs });
  users.onWrite((userId) => verifiedKeys.forgetOwner(userId));
  const lockout = createLoginLockout({ attempts: loginAttempts, maxFailures: deps.maxFailures, log: deps.log, audit: deps.audit });

  function unauthorized(message = 'invalid credentials'): AppError {
    return new AppError('unauthorized', message);
  }

  return {
    /** Lockouts started, per scope (address, account), for /metrics. */
    metrics: lockout.metrics,

    /**
     * Username/password login. Attempts are recorded; repeated failures lock the username from that
     * address for a growing while (see login-lockout.ts), never from the addresses that did not fail.
     */
    async login(username: string, password: string, ip: string): Promise<{ access_token: string; token_type: 'bearer'; expires_in: number }> {
      const user = await this.checkPassword(username, password, ip);
      return { access_token: await tokens.sign(user), token_type: 'bearer', expires_in: tokens.expiresInSeconds };
    },

    /**
     * The password check behind every sign-in (the API's login, the OAuth sign-in page): attempts are
     * recorded and locked out alike. Returns the user, or throws 401 / 429.
     */
    async checkPassword(username: string, password: string, ip: string): Promise<UserRow> {
      if (deps.localPasswords && !deps.localPasswords()) {
        throw new AppError('forbidden', 'password sign-in is turned off on this platform: sign in with single sign-on (break glass: `mcps user local-passwords on` on the host)');
      }
      if ((await lockout.retryAfterSeconds(username, ip)) > 0) {
        await loginAttempts.record({ username, ip, succeeded: false, reason: 'locked', at: nowIso() });
        await lockout.failed(username, ip);
        throw new AppError('rate_limited', 'too many failed logins for this user from this address; try again later', {
          retryAfterSeconds: await lockout.retryAfterSeconds(username, ip),
        });
      }
      const user = await users.findByUsername(username);
      // Compare against a dummy hash when the user is unknown, so timing does not reveal which usernames exist.
      const ok = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash()));
      const reason = !user ? 'unknown_user' : !ok ? 'bad_password' : user.disabled_at ? 'disabled' : null;
      const at = nowIso();
      await loginAttempts.record({ username, ip, succeeded: reason === null, reason, at });
      if (reason !== null || !user) {
        await lockout.failed(username, ip);
        throw unauthorized();
      }
      await users.update(user.id, { last_login_at: at });
      return user;
    },

    /** Resolves a bearer credential (JWT or API key) to a principal, or throws 401. */
    async authenticate(credential: string): Promise<Principal> {
      if (looksLikeApiKey(credential)) return this.authenticateApiKey(credential);
      const claims = await tokens.verify(credential);
      const user = await users.findById(claims.sub);
      if (!user || user.disabled_at) throw unauthorized('invalid access token');
      // A password change ends every session started before it: tokens name the generation they belong to.
      if (claims.pwd !== user.password_changed_at) throw unauthorized('access token revoked');
      return userPrincipal(user);
    },

    /**
     * An API key's principal. Verified keys are cached for a few seconds (api-key-cache.ts): a
     * revocation or an owner's change made here takes effect on the next request; one made on
     * another instance within API_KEY_CACHE_TTL_MS.
     */
    async authenticateApiKey(key: string): Promise<Principal> {
      if (!looksLikeApiKey(key)) throw unauthorized('invalid API key');
      const hash = hashApiKey(key);
      let verified = verifiedKeys.get(hash);
      if (verified === undefined) {
        const row = await apiKeys.findByHash(hash);
        if (!row) throw unauthorized('invalid API key');
        verified = { row, owner: await users.findById(row.user_id) };
        verifiedKeys.set(hash, verified);
      }
      const { row, owner } = verified;
      const refusal = apiKeyRefusal(row, owner);
      if (refusal) throw unauthorized(KEY_REFUSALS[refusal]);
      if (!row.last_used_at || Date.parse(row.last_used_at) < Date.now() - TOUCH_INTERVAL_MS) {
        const now = nowIso();
        row.last_used_at = now;
        await apiKeys.touch(row.id, now);
      }
      return apiKeyPrincipal(row, owner!);
    },

    /**
     * Creates an API key for `owner`. `insert` stores the row (default: alone); the gateway passes one
     * that stores the key's allowlists in the same transaction.
     */
    async createApiKey(
      owner: Principal,
      input: { name: string; role: Role; expires_at?: string | undefined },
      insert: (row: ApiKeyRow) => Promise<void> = (row) => apiKeys.insert(row),
    ): Promise<{ key: string; api_key: PublicApiKey }> {
      if (ROLE_RANK[input.role] > ROLE_RANK[owner.role]) {
        throw new AppError('forbidden', `cannot create a key with role '${input.role}' above your own role '${owner.role}'`);
      }
      if (input.expires_at !== undefined && Date.parse(input.expires_at) <= Date.now()) {
        throw new AppError('validation', 'expires_at must be in the future', { errors: [{ field: 'body.expires_at', message: 'must be in the future' }] });
      }
      const key = generateApiKey();
      const row: ApiKeyRow = {
        id: newId(),
        name: input.name,
        prefix: displayPrefix(key),
        key_hash: hashApiKey(key),
        role: input.role,
        user_id: owner.userId,
        expires_at: input.expires_at ? new Date(input.expires_at).toISOString() : null,
        revoked_at: null,
        last_used_at: null,
        created_at: nowIso(),
      };
      await insert(row);
      return { key, api_key: toPublicKey(row) };
    },

    async listApiKeys(limit: number, cursor?: string): Promise<Page<PublicApiKey>> {
      const after = cursor === undefined ? undefined : decodeCursor<string>(cursor, 'string');
      const rows = await apiKeys.list(limit + 1, after);
      return toPage(rows, limit, (r) => r.id, toPublicKey);
    },

    /** Forgets every verified key (after a restore replaced them): each key's next use reads it again. */
    forgetCachedKeys(): void {
      verifiedKeys.clear();
    },

    async revokeApiKey(id: string): Promise<PublicApiKey> {
      const row = await apiKeys.findById(id);
      if (!row) throw AppError.notFound('API key', id);
      await apiKeys.revoke(id, nowIso());
      verifiedKeys.forgetKey(id);
      return toPublicKey((await apiKeys.findById(id))!);
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
