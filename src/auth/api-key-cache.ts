import type { ApiKeyRow } from './api-key.table.js';
import type { UserRow } from './user.table.js';

/** How long a verified key is trusted without reading it again (the bound for changes made on another instance). */
export const API_KEY_CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

export interface VerifiedKey {
  row: ApiKeyRow;
  owner: UserRow | undefined;
}

/**
 * API keys verified recently, keyed by the key's sha256 (the lookup hash; the key itself is never
 * kept), so a gateway request does not read the key and its owner on every call. Entries live
 * `ttlMs`: a revocation or an owner's change made on this instance drops them at once
 * (`forgetKey`, `forgetOwner`); one made on another instance shows within `ttlMs`. Only keys
 * found are kept; the validity rule (revoked, expired, owner disabled) is applied on every use.
 */
export function createApiKeyCache(opts: { ttlMs?: number; now?: () => number } = {}) {
  const ttlMs = opts.ttlMs ?? API_KEY_CACHE_TTL_MS;
  const now = opts.now ?? Date.now;
  const entries = new Map<string, VerifiedKey & { at: number }>();
  const forgetWhere = (match: (e: VerifiedKey) => boolean) => {
    for (const [hash, e] of entries) if (match(e)) entries.delete(hash);
  };

  return {
    get(keyHash: string): VerifiedKey | undefined {
      const e = entries.get(keyHash);
      if (e === undefined) return undefined;
      if (now() - e.at >= ttlMs) {
        entries.delete(keyHash);
        return undefined;
      }
      return e;
    },
    set(keyHash: string, verified: VerifiedKey): void {
      if (entries.size >= MAX_ENTRIES) entries.clear();
      entries.set(keyHash, { ...verified, at: now() });
    },
    /** The key changed (revoked): its next use reads it again. */
    forgetKey(keyId: string): void {
      forgetWhere((e) => e.row.id === keyId);
    },
    /** The user changed (role, disabled, deleted): their keys' next use reads them again. */
    forgetOwner(userId: string): void {
      forgetWhere((e) => e.row.user_id === userId);
    },
    clear(): void {
      entries.clear();
    },
  };
}

export type ApiKeyCache = ReturnType<typeof createApiKeyCache>;
