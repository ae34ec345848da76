import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * One JSON-RPC message to or from the server named in `server` (filled by the recorder beside it): a managed
 * MCP server, or `gateway` / `mcps` for what clients exchange with the gateway / the log service.
 */
export interface McpLogTable {
  id: Generated<number>;
  time: string;
  server: string;
  caller: string | null;
  session_id: string | null;
  /** 'out' = towards `server` (the platform's, or a client's, requests), 'in' = from `server`. */
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
