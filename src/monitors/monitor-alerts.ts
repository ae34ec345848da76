import type { Transaction } from 'kysely';
import { ingestAlertsIn } from '../alerts/alert-ingest.js';
import type { AlertReceiverRow } from '../alerts/alerts.table.js';
import type { Database } from '../db/database.js';

/**
 * Where a monitor's outage goes: an alert episode opened at `startsAt`, resolved at `endsAt`. Both
 * write inside the transaction that records the monitor's new state (monitor-recorder.ts) and return
 * how many episodes they stored or closed; `ingested()` is called once that transaction committed.
 */
export interface MonitorAlertSink {
  fire(trx: Transaction<Database>, labels: Record<string, string>, annotations: Record<string, string>, startsAt: string): Promise<number>;
  resolve(trx: Transaction<Database>, labels: Record<string, string>, annotations: Record<string, string>, startsAt: string, endsAt: string): Promise<number>;
  ingested(): void;
}

/**
 * Feeds monitor alerts into the alerts domain as if a webhook had delivered them (same store, dedupe
 * by fingerprint + startsAt, routing and notifications), from a built-in sender named `monitors`.
 */
export function createMonitorAlertSink(deps: { onIngested: () => void; now: () => Date }): MonitorAlertSink {
  const receiver = { id: 'builtin:monitors', name: 'monitors', kind: 'monitors' } as unknown as AlertReceiverRow;
  const send = async (trx: Transaction<Database>, status: 'firing' | 'resolved', labels: Record<string, string>, annotations: Record<string, string>, startsAt: string, endsAt: string | null) => {
    const r = await ingestAlertsIn(trx, receiver, [{ status, labels, annotations, startsAt, endsAt, generatorURL: null, fingerprint: null, extra: null }], deps.now().toISOString());
    return r.stored + r.resolved;
  };
  return {
    fire: (trx, labels, annotations, startsAt) => send(trx, 'firing', labels, annotations, startsAt, null),
    resolve: (trx, labels, annotations, startsAt, endsAt) => send(trx, 'resolved', labels, annotations, startsAt, endsAt),
    ingested: deps.onIngested,
  };
}
