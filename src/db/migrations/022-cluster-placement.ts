import type { Kysely } from 'kysely';

/**
 * Several instances on one database (docs/DEPLOYMENT.md, "Where managed servers run"):
 * - servers.placement: 'one' (default: the server runs on one instance of the cluster, the holder of
 *   the `managed-servers` lease) or 'every' (each instance runs its own);
 * - instances: the registry of live instances (src/cluster/instance.table.ts): the internal URL each
 *   advertises for forwarded requests, its heartbeat (epoch ms, database clock) and the status of the
 *   servers it runs, so every instance can show them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('servers')
    .addColumn('placement', 'text', (c) => c.notNull().defaultTo('one'))
    .execute();
  await db.schema
    .createTable('instances')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('base_url', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
    .addColumn('servers', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('instances').execute();
  await db.schema.alterTable('servers').dropColumn('placement').execute();
}
