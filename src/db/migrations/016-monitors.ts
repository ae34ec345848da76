import type { Kysely } from 'kysely';

/**
 * Health checks and monitors (src/monitors/): monitors with their current state, raw results (kept
 * briefly), rollups per minute / hour / day, state changes and maintenance windows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('monitors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull())
    .addColumn('interval_seconds', 'integer', (c) => c.notNull())
    .addColumn('cron', 'text')
    .addColumn('timeout_ms', 'integer', (c) => c.notNull())
    .addColumn('failures_before_down', 'integer', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('description', 'text')
    .addColumn('push_token_hash', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('state_since', 'text')
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_checked_at', 'text')
    .addColumn('last_latency_ms', 'double precision')
    .addColumn('last_error', 'text')
    .addColumn('alert_starts_at', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('monitors_push_token').on('monitors').column('push_token_hash').execute();
  await db.schema
    .createTable('monitor_results')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('monitor_id', 'text', (c) => c.notNull().references('monitors.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('latency_ms', 'double precision')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('monitor_results_at').on('monitor_results').columns(['monitor_id', 'at']).execute();
  await db.schema.createIndex('monitor_results_time').on('monitor_results').column('at').execute();
  await db.schema
    .createTable('monitor_rollups')
    .addColumn('monitor_id', 'text', (c) => c.notNull().references('monitors.id').onDelete('cascade'))
    .addColumn('resolution', 'text', (c) => c.notNull())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('checks', 'integer', (c) => c.notNull())
    .addColumn('ups', 'integer', (c) => c.notNull())
    .addColumn('latency_sum', 'double precision', (c) => c.notNull())
    .addColumn('latency_max', 'double precision', (c) => c.notNull())
    .addColumn('histogram', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('monitor_rollups_pk', ['monitor_id', 'resolution', 'bucket'])
    .execute();
  await db.schema.createIndex('monitor_rollups_time').on('monitor_rollups').columns(['resolution', 'bucket']).execute();
  await db.schema
    .createTable('monitor_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('monitor_id', 'text', (c) => c.notNull().references('monitors.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text', (c) => c.notNull())
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('suppressed', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('monitor_events_at').on('monitor_events').columns(['monitor_id', 'at']).execute();
  await db.schema
    .createTable('monitor_maintenance')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('monitor_id', 'text', (c) => c.references('monitors.id').onDelete('cascade'))
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('monitor_maintenance_end').on('monitor_maintenance').column('ends_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('monitor_maintenance').execute();
  await db.schema.dropTable('monitor_events').execute();
  await db.schema.dropTable('monitor_rollups').execute();
  await db.schema.dropTable('monitor_results').execute();
  await db.schema.dropTable('monitors').execute();
}
