/** A protocol-log row as GET /logs/mcp and the mcp log stream return it. */
export interface McpRow {
  id: number;
  time: string;
  server: string;
  caller: string | null;
  session_id: string | null;
  direction: string;
  method: string | null;
  jsonrpc_id: string | null;
  duration_ms: number | null;
  outcome: string | null;
  error_code: number | null;
  payload: string | null;
}

/** A request with its response (when it came) and the notifications the same session saw in between. */
export interface Exchange {
  kind: 'exchange';
  request: McpRow;
  response: McpRow | null;
  notifications: McpRow[];
}
/** A notification outside any open request, or a response whose request is not among the rows. */
export interface Lone {
  kind: 'lone';
  row: McpRow;
}
export type Entry = Exchange | Lone;

const streamOf = (r: McpRow) => `${r.server}\u0000${r.session_id ?? ''}`;

/**
 * Pairs protocol-log rows as the recorder does (src/protocol-log/protocol-recorder.ts): a row with an
 * outcome is a response, paired with the request of the same server and JSON-RPC id sent the other
 * way; a row with an id and no outcome is a request; a row without an id is a notification. Returns the
 * entries oldest first.
 */
export function pairJsonRpc(rows: readonly McpRow[]): Entry[] {
  const sorted = [...rows].sort((a, b) => a.id - b.id);
  const entries: Entry[] = [];
  const pending = new Map<string, Exchange>();
  const open = new Map<string, Exchange[]>();
  for (const row of sorted) {
    if (row.jsonrpc_id === null) {
      const into = open.get(streamOf(row))?.at(-1);
      if (into) into.notifications.push(row);
      else entries.push({ kind: 'lone', row });
    } else if (row.outcome === null) {
      const ex: Exchange = { kind: 'exchange', request: row, response: null, notifications: [] };
      entries.push(ex);
      pending.set(`${row.server}\u0000${row.direction}\u0000${row.jsonrpc_id}`, ex);
      open.set(streamOf(row), [...(open.get(streamOf(row)) ?? []), ex]);
    } else {
      const key = `${row.server}\u0000${row.direction === 'in' ? 'out' : 'in'}\u0000${row.jsonrpc_id}`;
      const ex = pending.get(key);
      if (!ex) {
        entries.push({ kind: 'lone', row });
        continue;
      }
      pending.delete(key);
      ex.response = row;
      const s = streamOf(ex.request);
      open.set(s, (open.get(s) ?? []).filter((e) => e !== ex));
    }
  }
  return entries;
}

/** The part of a payload worth reading: a request's params, a response's result or error, else the whole message. */
export function payloadPart(row: McpRow): string {
  if (row.payload === null) return '';
  try {
    const m = JSON.parse(row.payload) as Record<string, unknown>;
    const part = 'error' in m ? m['error'] : 'result' in m ? m['result'] : 'params' in m ? m['params'] : m;
    return JSON.stringify(part, null, 2) ?? '';
  } catch {
    // A payload cut at the size cap is not JSON any more: shown as stored.
    return row.payload;
  }
}
