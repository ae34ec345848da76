import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AlertReceiverRow } from './alerts.table.js';

/** What a webhook request presents to prove its sender. */
export interface WebhookCredentials {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

/** A receiver's secrets, resolved from their references. */
export interface ReceiverSecrets {
  token: string | null;
  hmacKey: string | null;
}

export type AuthOutcome = { ok: true } | { ok: false; reason: string };

const header = (h: WebhookCredentials['headers'], name: string): string | undefined => {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

/** Equal strings in time that does not depend on where they differ (both hashed to one length first). */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

function checkBearer(creds: WebhookCredentials, token: string): AuthOutcome {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header(creds.headers, 'authorization') ?? '');
  if (!m) return { ok: false, reason: 'missing bearer token' };
  return constantTimeEqual(m[1]!, token) ? { ok: true } : { ok: false, reason: 'wrong bearer token' };
}

/**
 * What joins the timestamp to the body in the signed message: Grafana's webhook contact point signs
 * `<timestamp>:<body>` (its "HMAC Signature" settings); other senders follow the common `<timestamp>.<body>`.
 */
const TIMESTAMP_SEPARATOR: Record<AlertReceiverRow['kind'], string> = { grafana: ':', alertmanager: '.', generic: '.' };

/**
 * HMAC-SHA256 of the raw body (or of timestamp + separator + body when the receiver names a timestamp
 * header, whose value must be Unix seconds within the tolerance window: a replayed request is refused).
 * The signature is hex, optionally prefixed `sha256=`.
 */
function checkHmac(receiver: AlertReceiverRow, creds: WebhookCredentials, key: string, nowMs: number): AuthOutcome {
  const given = header(creds.headers, receiver.signature_header)?.trim().replace(/^sha256=/i, '');
  if (!given) return { ok: false, reason: `missing ${receiver.signature_header}` };
  const mac = createHmac('sha256', key);
  if (receiver.timestamp_header) {
    const ts = header(creds.headers, receiver.timestamp_header)?.trim() ?? '';
    if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: `missing or malformed ${receiver.timestamp_header}` };
    if (Math.abs(nowMs / 1000 - Number(ts)) > receiver.tolerance_seconds) return { ok: false, reason: 'timestamp outside the tolerance window' };
    mac.update(`${ts}${TIMESTAMP_SEPARATOR[receiver.kind]}`);
  }
  const expected = mac.update(creds.rawBody).digest('hex');
  return constantTimeEqual(given.toLowerCase(), expected) ? { ok: true } : { ok: false, reason: 'wrong signature' };
}

/** Every check the receiver has configured must pass (bearer, HMAC, or both). */
export function verifyWebhook(receiver: AlertReceiverRow, secrets: ReceiverSecrets, creds: WebhookCredentials, nowMs: number): AuthOutcome {
  if (!secrets.token && !secrets.hmacKey) return { ok: false, reason: 'receiver has no credential' };
  if (secrets.token) {
    const r = checkBearer(creds, secrets.token);
    if (!r.ok) return r;
  }
  if (secrets.hmacKey) return checkHmac(receiver, creds, secrets.hmacKey, nowMs);
  return { ok: true };
}
