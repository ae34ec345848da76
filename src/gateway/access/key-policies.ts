import type { NewApiKeyRow } from '../../auth/api-key.table.js';
import type { Principal } from '../../auth/principal.js';
import { nowIso } from '../../lib/clock.js';
import { ALLOW_ALL, type Allowlist } from './allowlist.js';
import type { GatewayRepository } from '../gateway.repository.js';
import type { GatewayKeyPolicyRow } from '../gateway.table.js';

export interface KeyPolicyView {
  api_key_id: string;
  allowed_servers: string[] | null;
  allowed_tools: string[] | null;
  updated_at: string | null;
}

export interface AllowlistInput {
  allowed_servers: string[] | null;
  allowed_tools: string[] | null;
}

const TTL_MS = 5_000;

/**
 * API keys' gateway allowlists. Users logged in with a password have none (their role decides);
 * an API key without a policy may use every server and tool. Lookups are cached for a few seconds
 * (a change made here takes effect at once; one made by another instance within TTL_MS).
 */
export function createKeyPolicies(repo: GatewayRepository) {
  const cache = new Map<string, { at: number; list: Allowlist }>();
  const parse = (v: string | null): string[] | null => (v === null ? null : (JSON.parse(v) as string[]));

  const toRow = (apiKeyId: string, input: AllowlistInput): GatewayKeyPolicyRow | null =>
    input.allowed_servers === null && input.allowed_tools === null
      ? null
      : {
          api_key_id: apiKeyId,
          allowed_servers: input.allowed_servers === null ? null : JSON.stringify(input.allowed_servers),
          allowed_tools: input.allowed_tools === null ? null : JSON.stringify(input.allowed_tools),
          updated_at: nowIso(),
        };

  const view = async (apiKeyId: string): Promise<KeyPolicyView> => {
    const row = await repo.findPolicy(apiKeyId);
    return row
      ? { api_key_id: apiKeyId, allowed_servers: parse(row.allowed_servers), allowed_tools: parse(row.allowed_tools), updated_at: row.updated_at }
      : { api_key_id: apiKeyId, allowed_servers: null, allowed_tools: null, updated_at: null };
  };

  return {
    async allowlistFor(principal: Principal): Promise<Allowlist> {
      // An OAuth token limited to servers (resource `/mcp/{server}`, scopes `mcp:server:<name>`) sees those only.
      if (principal.oauth) return principal.oauth.servers === null ? ALLOW_ALL : { servers: principal.oauth.servers, tools: null };
      if (principal.type !== 'api_key') return ALLOW_ALL;
      const hit = cache.get(principal.id);
      if (hit && Date.now() - hit.at < TTL_MS) return hit.list;
      const v = await view(principal.id);
      const list: Allowlist = { servers: v.allowed_servers, tools: v.allowed_tools };
      if (cache.size > 10_000) cache.clear();
      cache.set(principal.id, { at: Date.now(), list });
      return list;
    },
    view,
    async set(apiKeyId: string, input: AllowlistInput): Promise<KeyPolicyView> {
      const row = toRow(apiKeyId, input);
      if (row === null) await repo.deletePolicy(apiKeyId);
      else await repo.upsertPolicy(row);
      cache.delete(apiKeyId);
      return view(apiKeyId);
    },
    /** Stores a new API key together with its allowlists (one transaction: both or neither). */
    insertKey: (key: NewApiKeyRow, input: AllowlistInput): Promise<void> => repo.insertKeyWithPolicy(key, toRow(key.id, input)),
  };
}

export type KeyPolicies = ReturnType<typeof createKeyPolicies>;
