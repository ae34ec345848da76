import type { Kysely } from 'kysely';

/**
 * servers.desired_state: 'running' after a person started the server, 'stopped' after one stopped it
 * (src/servers/server.table.ts). Platform start and restore bring back the servers meant to run.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('servers')
    .addColumn('desired_state', 'text', (c) => c.notNull().defaultTo('stopped'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('servers').dropColumn('desired_state').execute();
}
