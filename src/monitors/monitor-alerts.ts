import type { Kysely } from 'kysely';
import { ingestAlerts } from '../alerts/alert-ingest.js';
import type { AlertReceiverRow } from '../alerts/alerts.table.js';
import type { Database } from '../db/database.js';

/** Where a monitor's outage goes: an alert episode opened at `startsAt`, resolved at `endsAt`. */
export interface MonitorAlertSink {
  fire(labels: Record<string, string>, annotations: Record<string, string>, startsAt: string): Promise<void>;
  resolve(labels: Record<string, string>, annotations: Record<string, string>, startsAt: string, endsAt: string): Promise<void>;
}

/**
 * Feeds monitor alerts into the alerts domain as if a webhook had delivered them (same store, dedupe
 * by fingerprint + startsAt, routing and notifications), from a built-in sender named `monitors`.
 */
export function createMonitorAlertSink(deps: { db: Kysely<Database>; onIngested: () => void; now: () => Date }): MonitorAlertSink {
  const receiver = { id: 'builtin:monitors', name: 'monitors', kind: 'monitors' } as unknown as AlertReceiverRow;
  const send = async (status: 'firing' | 'resolved', labels: Record<string, string>, annotations: Record<string, string>, startsAt: string, endsAt: string | null) => {
    const r = await ingestAlerts(deps.db, receiver, [{ status, labels, annotations, startsAt, endsAt, generatorURL: null, fingerprint: null, extra: null }], deps.now().toISOString());
    if (r.stored + r.resolved > 0) deps.onIngested();
  };
  return {
    fire: (labels, annotations, startsAt) => send('firing', labels, annotations, startsAt, null),
    resolve: (labels, annotations, startsAt, endsAt) => send('resolved', labels, annotations, startsAt, endsAt),
  };
}
