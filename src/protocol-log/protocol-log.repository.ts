import { type Kysely, type SqlBool, sql } from 'kysely';
import type { Database } from '../db/database.js';
import { addCounts, deleteCounted } from '../logs/log-counts.js';
import type { NewMcpLogRow } from '../protocol-log/mcp-log.table.js';

/** Rows per INSERT statement: 12 columns x 1,000 stays under SQLite's and PostgreSQL's parameter limits. */
const ROWS_PER_STATEMENT = 1000;

/** Writes and trims the protocol log (`mcp_logs`); reads are in src/logs/. */
export function createTrafficRepository(db: Kysely<Database>) {
  return {
    /** One transaction per batch, with its counts (src/logs/log-counts.ts). */
    async insertBatch(rows: NewMcpLogRow[]): Promise<void> {
      if (rows.length === 0) return;
      await db.transaction().execute(async (tx) => {
        for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
          await tx.insertInto('mcp_logs').values(rows.slice(i, i + ROWS_PER_STATEMENT)).execute();
        }
        await addCounts(tx, 'mcp', rows);
      });
    },

    deleteOlderThan(time: string): Promise<number> {
      return deleteCounted(db, 'mcp', sql<SqlBool>`time < ${time}`);
    },

    /** Deletes the oldest rows so that at most `maxRows` remain. */
    async keepNewest(maxRows: number): Promise<number> {
      const edge = await db.selectFrom('mcp_logs').select('id').orderBy('id', 'desc').offset(maxRows).limit(1).executeTakeFirst();
      if (!edge) return 0;
      return deleteCounted(db, 'mcp', sql<SqlBool>`id <= ${edge.id}`);
    },

    /** Responses of one server since `since` (ISO): outcome and duration, for call metrics. */
    responsesSince(server: string, since: string) {
      return db
        .selectFrom('mcp_logs')
        .select(['time', 'method', 'outcome', 'duration_ms'])
        .where('server', '=', server)
        .where('time', '>=', since)
        .where('outcome', 'is not', null)
        .where('direction', '=', 'in')
        .orderBy('id')
        .execute();
    },
  };
}

export type TrafficRepository = ReturnType<typeof createTrafficRepository>;
