import { SYSTEM_CALLER } from '../secrets/secret-caller.js';
import type { SecretsService } from '../secrets/secrets.service.js';
import type { AlertReceiverRow } from './alerts.table.js';
import type { ReceiverSecrets } from './webhook-auth.js';

const TTL_MS = 60_000;

/**
 * A receiver's token and HMAC key, resolved from their `${secret:NAME}` references. Kept in memory
 * for a minute, so a busy sender does not cost a decryption and an audited resolve per request; a
 * rotated secret takes effect within that minute. Never logged.
 */
export function createReceiverSecrets(secrets: Pick<SecretsService, 'resolve'>, nowMs: () => number = Date.now) {
  const cache = new Map<string, { value: ReceiverSecrets; at: number }>();
  async function secretsOf(r: AlertReceiverRow): Promise<ReceiverSecrets> {
    const key = `${r.id}\n${r.updated_at}\n${r.token_ref ?? ''}\n${r.hmac_ref ?? ''}`;
    const hit = cache.get(key);
    if (hit && nowMs() - hit.at < TTL_MS) return hit.value;
    const value = await secrets.resolve({ token: r.token_ref, hmacKey: r.hmac_ref }, { caller: SYSTEM_CALLER, reason: `alert receiver ${r.name}` });
    if (cache.size > 1000) cache.clear();
    cache.set(key, { value, at: nowMs() });
    return value;
  }
  return Object.assign(secretsOf, { clear: () => cache.clear() });
}
