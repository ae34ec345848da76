import { describe, expect, it } from 'vitest';
import { pairJsonRpc, payloadPart, type McpRow } from '../../web/src/ui/jsonrpc-pairs.js';

/** The console's JSON-RPC viewer pairs protocol-log rows the way the recorder does. */

let next = 0;
function row(over: Partial<McpRow>): McpRow {
  return {
    id: ++next,
    time: new Date(1_700_000_000_000 + next * 1000).toISOString(),
    server: 'files',
    caller: 'user:admin',
    session_id: null,
    direction: 'out',
    method: null,
    jsonrpc_id: null,
    duration_ms: null,
    outcome: null,
    error_code: null,
    payload: null,
    ...over,
  };
}

describe('pairJsonRpc', () => {
  it('pairs each request with the response of the same server and id sent the other way, notifications in between', () => {
    const req = row({ method: 'tools/call', jsonrpc_id: '7', payload: '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"slow"}}' });
    const otherServer = row({ server: 'web', method: 'tools/list', jsonrpc_id: '7' });
    const progress = row({ direction: 'in', method: 'notifications/progress', payload: '{"method":"notifications/progress","params":{"progress":1}}' });
    const resp = row({ direction: 'in', method: 'tools/call', jsonrpc_id: '7', outcome: 'error', error_code: -32602, duration_ms: 12, payload: '{"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"bad"}}' });
    const entries = pairJsonRpc([resp, progress, otherServer, req]);
    expect(entries).toHaveLength(2);
    const [first, second] = entries;
    expect(first).toMatchObject({ kind: 'exchange', request: { id: req.id }, response: { id: resp.id }, notifications: [{ id: progress.id }] });
    expect(second).toMatchObject({ kind: 'exchange', request: { id: otherServer.id }, response: null });
    expect(JSON.parse(payloadPart(resp))).toEqual({ code: -32602, message: 'bad' });
    expect(JSON.parse(payloadPart(req))).toEqual({ name: 'slow' });
  });

  it('keeps a response whose request is not among the rows, and a notification outside any request, on their own', () => {
    const lone = row({ direction: 'in', jsonrpc_id: '3', outcome: 'ok' });
    const note = row({ direction: 'in', method: 'notifications/tools/list_changed' });
    expect(pairJsonRpc([lone, note]).map((e) => e.kind)).toEqual(['lone', 'lone']);
  });

  it('shows a payload cut at the size cap as stored', () => {
    expect(payloadPart(row({ payload: '{"jsonrpc":"2.0","params":{"text":"abc…' }))).toBe('{"jsonrpc":"2.0","params":{"text":"abc…');
  });
});
