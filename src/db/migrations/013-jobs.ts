import type { Kysely } from 'kysely';

/**
 * Batch jobs (src/jobs/): batches and their items. Items carry their lease (owner instance and expiry
 * in epoch ms of the database clock) so a batch survives a crash: an expired lease is claimed again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('job_batches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('concurrency', 'integer', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('backoff_ms', 'integer', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('creator_type', 'text', (c) => c.notNull())
    .addColumn('creator_id', 'text')
    .addColumn('creator_name', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('job_batches_status').on('job_batches').column('status').execute();
  await db.schema.createIndex('job_batches_created_at').on('job_batches').column('created_at').execute();
  await db.schema
    .createTable('job_items')
    .addColumn('batch_id', 'text', (c) => c.notNull().references('job_batches.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_run_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'bigint')
    .addColumn('completions', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addPrimaryKeyConstraint('job_items_pk', ['batch_id', 'seq'])
    .execute();
  await db.schema.createIndex('job_items_status').on('job_items').columns(['batch_id', 'status']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('job_items').execute();
  await db.schema.dropTable('job_batches').execute();
}
