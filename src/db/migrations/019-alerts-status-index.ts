import type { Kysely } from 'kysely';

/**
 * Two indexes of `alerts` changed for the webhook receiver's write rate.
 *
 * alerts_status on (status) alone, instead of (status, last_received_at). Every repeated delivery of
 * an alert (Alertmanager re-sends what still fires) sets last_received_at: with it in an index each
 * repeat rewrote an index entry, and on PostgreSQL it ruled out HOT updates, so a repeat wrote every
 * index of the table. No query used the pair: last_received_at is only read OR-ed with conditions on
 * other columns.
 *
 * alerts_received on (first_received_at, id): the routing's light pass reads the ids of the alerts
 * received in the last seconds every second; covered by the index, that no longer visits the table.
 * (bench/webhooks.ts, docs/benchmarks.md "Alert webhooks".)
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('alerts_status').execute();
  await db.schema.createIndex('alerts_status').on('alerts').column('status').execute();
  await db.schema.dropIndex('alerts_received').execute();
  await db.schema.createIndex('alerts_received').on('alerts').columns(['first_received_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('alerts_status').execute();
  await db.schema.createIndex('alerts_status').on('alerts').columns(['status', 'last_received_at']).execute();
  await db.schema.dropIndex('alerts_received').execute();
  await db.schema.createIndex('alerts_received').on('alerts').column('first_received_at').execute();
}
