import type { Kysely } from 'kysely';

/** Publications of managed servers (or the gateway) to remote WebSocket endpoints; see src/pipe/publication.table.ts. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('publications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('server_id', 'text', (c) => c.references('servers.id').onDelete('cascade'))
    .addColumn('principal_type', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('endpoint_display', 'text', (c) => c.notNull())
    .addColumn('token_secret', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // One publication per managed server (several gateway publications have no server_id).
  await db.schema.createIndex('publications_server_id').on('publications').column('server_id').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('publications').execute();
}
