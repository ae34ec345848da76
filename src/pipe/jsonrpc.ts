import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { asJsonRpc, errorResponse, parseJsonRpc, type RequestId } from '../lib/jsonrpc-envelope.js';

/** The server behind the pipe is not running (restarting, or could not start). */
export const SERVER_UNAVAILABLE = -32000;

/** A WebSocket text frame as a JSON-RPC message, or the error response to send back. */
export function parseFrame(text: string): { message: JSONRPCMessage } | { reply: JSONRPCMessage; problem: string } {
  const parsed = parseJsonRpc(text);
  if (parsed.ok) return { message: parsed.message };
  return { reply: errorResponse(parsed.id, parsed.code, parsed.message), problem: `a frame refused (${parsed.message})` };
}

/** For StdioChildTransport: the same envelope check, throwing (the line is then reported as noise). */
export function parseJsonRpcEnvelope(value: unknown): JSONRPCMessage {
  const m = asJsonRpc(value);
  if (!m) throw new Error('not a JSON-RPC 2.0 message');
  return m;
}

export function isRequest(m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId; method: string } {
  return 'method' in m && 'id' in m && m.id !== undefined;
}

export function isResponse(m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } {
  return !('method' in m) && 'id' in m && ('result' in m || 'error' in m);
}
