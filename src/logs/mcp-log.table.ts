import type { Generated, Insertable, Selectable } from 'kysely';

/** One JSON-RPC message between the platform and a managed MCP server (filled by src/traffic/). */
export interface McpLogTable {
  id: Generated<number>;
  time: string;
  server: string;
  caller: string | null;
  session_id: string | null;
  /** 'out' = platform -> server, 'in' = server -> platform. */
  direction: 'in' | 'out';
  method: string | null;
  jsonrpc_id: string | null;
  duration_ms: number | null;
  outcome: 'ok' | 'error' | null;
  error_code: number | null;
  size: number;
  /** The message, capped in size, with secrets and sensitive keys redacted. */
  payload: string | null;
}

export type McpLogRow = Selectable<McpLogTable>;
export type NewMcpLogRow = Insertable<McpLogTable>;
