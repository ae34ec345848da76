import type { Kysely } from 'kysely';

/**
 * Alerts in (src/alerts/): receivers (webhook senders and their credentials by reference), alert
 * episodes (one row per fingerprint + startsAt), notes, silences, inhibition rules, the routing tree
 * and the routing groups' timers.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('alert_receivers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('token_ref', 'text')
    .addColumn('hmac_ref', 'text')
    .addColumn('signature_header', 'text', (c) => c.notNull())
    .addColumn('timestamp_header', 'text')
    .addColumn('tolerance_seconds', 'integer', (c) => c.notNull())
    .addColumn('mapping', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text')
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('annotations', 'text', (c) => c.notNull())
    .addColumn('generator_url', 'text')
    .addColumn('receiver_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('extra', 'text')
    .addColumn('received_count', 'integer', (c) => c.notNull())
    .addColumn('first_received_at', 'text', (c) => c.notNull())
    .addColumn('last_received_at', 'text', (c) => c.notNull())
    .addColumn('acked_at', 'text')
    .addColumn('acked_by', 'text')
    .addColumn('resolved_by', 'text')
    .addUniqueConstraint('alerts_episode', ['fingerprint', 'starts_at'])
    .execute();
  await db.schema.createIndex('alerts_status').on('alerts').columns(['status', 'last_received_at']).execute();
  await db.schema.createIndex('alerts_received').on('alerts').column('first_received_at').execute();
  await db.schema
    .createTable('alert_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id').onDelete('cascade'))
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await createRuleTables(db);
}

async function createRuleTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('alert_silences')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('matchers', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('alert_inhibit_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('source_matchers', 'text', (c) => c.notNull())
    .addColumn('target_matchers', 'text', (c) => c.notNull())
    .addColumn('equal', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('alert_routing')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tree', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('alert_groups')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('route_id', 'text', (c) => c.notNull())
    .addColumn('receiver', 'text', (c) => c.notNull())
    .addColumn('group_labels', 'text', (c) => c.notNull())
    .addColumn('next_flush_at', 'text', (c) => c.notNull())
    .addColumn('last_notified_at', 'text')
    .addColumn('last_firing', 'text', (c) => c.notNull())
    .addColumn('last_resolved', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['alert_groups', 'alert_routing', 'alert_inhibit_rules', 'alert_silences', 'alert_notes', 'alerts', 'alert_receivers'])
    await db.schema.dropTable(t).execute();
}
