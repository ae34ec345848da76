import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { newId } from '../lib/ids.js';
import type { AlertReceiverRow, AlertRow } from './alerts.table.js';
import { fingerprintOf } from './fingerprint.js';
import type { IncomingAlert } from './webhook-payloads.js';

export interface IngestResult {
  received: number;
  /** New episodes stored. */
  stored: number;
  /** Firing episodes closed by a resolve. */
  resolved: number;
  /** Deliveries of an episode already known in the same state. */
  duplicates: number;
}

type Outcome = 'stored' | 'resolved' | 'duplicates';

/**
 * Stores a webhook's alerts in one transaction, so that a 2xx is only sent once all of them are
 * committed. One row per episode (fingerprint + startsAt): a repeated delivery only counts; a resolve
 * closes the firing row; an alert without a fingerprint gets Prometheus' fingerprint of its labels.
 */
export async function ingestAlerts(db: Kysely<Database>, receiver: AlertReceiverRow, alerts: IncomingAlert[], now: string): Promise<IngestResult> {
  // Written in one order for every body (fingerprint, then start): two posts carrying the same alerts
  // in different orders would otherwise lock the same rows in opposite orders, and PostgreSQL would
  // abort one of them as a deadlock (a 500 to the sender, found by bench/webhooks.ts).
  const ordered = alerts
    .map((a) => ({ ...a, fingerprint: a.fingerprint ?? fingerprintOf(a.labels) }))
    .sort((a, b) => (a.fingerprint === b.fingerprint ? a.startsAt.localeCompare(b.startsAt) : a.fingerprint < b.fingerprint ? -1 : 1));
  for (let attempt = 1; ; attempt++) {
    const result: IngestResult = { received: alerts.length, stored: 0, resolved: 0, duplicates: 0 };
    try {
      await db.transaction().execute(async (trx) => {
        for (const alert of ordered) result[await ingestOne(trx, receiver, alert, now)]++;
      });
      return result;
    } catch (err) {
      // A deadlock or serialization failure rolled everything back: the body is written again whole.
      if (attempt >= 3 || !isRetryableConflict(err)) throw err;
    }
  }
}

function isRetryableConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

async function ingestOne(trx: Transaction<Database>, receiver: AlertReceiverRow, alert: IncomingAlert, now: string): Promise<Outcome> {
  const fingerprint = alert.fingerprint ?? fingerprintOf(alert.labels);
  const startsAt = alert.startsAt || (await openEpisodeStart(trx, fingerprint)) || now;
  const inserted = await trx
    .insertInto('alerts')
    .values({
      id: newId(),
      fingerprint,
      starts_at: startsAt,
      status: alert.status,
      ends_at: alert.status === 'resolved' ? (alert.endsAt ?? now) : null,
      labels: JSON.stringify(alert.labels),
      annotations: JSON.stringify(alert.annotations),
      generator_url: alert.generatorURL,
      receiver_id: receiver.id,
      source: receiver.kind,
      extra: alert.extra ? JSON.stringify(alert.extra) : null,
      received_count: 1,
      first_received_at: now,
      last_received_at: now,
      acked_at: null,
      acked_by: null,
      resolved_by: null,
    })
    .onConflict((oc) => oc.columns(['fingerprint', 'starts_at']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return 'stored';
  return updateEpisode(trx, fingerprint, startsAt, alert, now);
}

async function openEpisodeStart(trx: Transaction<Database>, fingerprint: string): Promise<string | undefined> {
  const row = await trx.selectFrom('alerts').select('starts_at').where('fingerprint', '=', fingerprint).where('status', '=', 'firing').orderBy('starts_at', 'desc').executeTakeFirst();
  return row?.starts_at;
}

/** A known episode: a resolve closes it when firing; anything else is a repeated delivery. */
async function updateEpisode(trx: Transaction<Database>, fingerprint: string, startsAt: string, alert: IncomingAlert, now: string): Promise<Outcome> {
  const row = (await trx.selectFrom('alerts').selectAll().where('fingerprint', '=', fingerprint).where('starts_at', '=', startsAt).executeTakeFirstOrThrow()) as AlertRow;
  const closes = row.status === 'firing' && alert.status === 'resolved';
  await trx
    .updateTable('alerts')
    .set({
      received_count: row.received_count + 1,
      last_received_at: now,
      ...(closes ? { status: 'resolved' as const, ends_at: alert.endsAt ?? now, annotations: JSON.stringify(alert.annotations) } : {}),
    })
    .where('id', '=', row.id)
    .execute();
  return closes ? 'resolved' : 'duplicates';
}
