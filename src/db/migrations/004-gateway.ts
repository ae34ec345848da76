import type { Kysely } from 'kysely';

/** The gateway: tool pins (rug-pull defence) and per-API-key allowlists; see src/gateway/gateway.table.ts. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('gateway_tool_pins')
    .addColumn('server', 'text', (c) => c.notNull())
    .addColumn('tool', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('pending_hash', 'text')
    .addColumn('pending_definition', 'text')
    .addColumn('flags', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'text')
    .addColumn('approved_at', 'text')
    .addColumn('approved_by', 'text')
    .addPrimaryKeyConstraint('gateway_tool_pins_pk', ['server', 'tool'])
    .execute();

  await db.schema
    .createTable('gateway_key_policies')
    .addColumn('api_key_id', 'text', (c) => c.primaryKey().references('api_keys.id').onDelete('cascade'))
    .addColumn('allowed_servers', 'text')
    .addColumn('allowed_tools', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('gateway_key_policies').execute();
  await db.schema.dropTable('gateway_tool_pins').execute();
}
