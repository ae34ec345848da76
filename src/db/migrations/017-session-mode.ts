import type { Kysely } from 'kysely';

/**
 * servers.session_mode: how gateway sessions on `/mcp/{server}` reach the server. 'shared' (one
 * connection for every client session, the default) or 'per_session' (an upstream session of its
 * own per client session: a child process per session for stdio, an MCP session for remote), which
 * is what lets the server's sampling, elicitation and roots requests reach the client that caused them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('servers')
    .addColumn('session_mode', 'text', (c) => c.notNull().defaultTo('shared'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('servers').dropColumn('session_mode').execute();
}
