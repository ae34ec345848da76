import { type Kysely, sql } from 'kysely';

/**
 * log_counts: rows of the three logs per (type, hour, server, key), kept beside every insert and
 * delete (src/logs/log-counts.ts) so that GET /logs/stats reads O(hours), not O(rows).
 * - type: 'system' | 'operations' | 'mcp'; hour: the first 13 characters of `time` (YYYY-MM-DDTHH);
 * - server: the protocol log's server ('' for the other two); key: level (system), outcome
 *   (operations, mcp; 'none' when null).
 * Filled here from the rows already there: one grouped scan per log.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('log_counts')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('hour', 'text', (c) => c.notNull())
    .addColumn('server', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('log_counts_pk', ['type', 'hour', 'server', 'key'])
    .execute();
  const hour = sql`substr(time, 1, 13)`;
  await sql`insert into log_counts (type, hour, server, key, count)
    select 'system', ${hour}, '', level, count(*) from system_logs group by ${hour}, level`.execute(db);
  await sql`insert into log_counts (type, hour, server, key, count)
    select 'operations', ${hour}, '', outcome, count(*) from operation_logs group by ${hour}, outcome`.execute(db);
  await sql`insert into log_counts (type, hour, server, key, count)
    select 'mcp', ${hour}, server, coalesce(outcome, 'none'), count(*) from mcp_logs group by ${hour}, server, coalesce(outcome, 'none')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('log_counts').execute();
}
