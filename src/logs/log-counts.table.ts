/** Rows of the three logs per (type, hour, server, key): the rollup behind GET /logs/stats (migration 024). */
export interface LogCountsTable {
  type: 'system' | 'operations' | 'mcp';
  /** The first 13 characters of the rows' `time`: YYYY-MM-DDTHH. */
  hour: string;
  /** The protocol log's server; '' for the system and operation logs. */
  server: string;
  /** level (system), outcome (operations, mcp); 'none' for a protocol row without outcome. */
  key: string;
  count: number;
}
