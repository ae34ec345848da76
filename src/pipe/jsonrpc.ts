import { parseJSONRPCMessage } from '@modelcontextprotocol/client';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';

/** JSON-RPC error codes the pipe answers with itself. */
export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const INTERNAL_ERROR = -32603;
/** The server behind the pipe is not running (restarting, or could not start). */
export const SERVER_UNAVAILABLE = -32000;

export type RequestId = string | number;

/** A WebSocket text frame as a JSON-RPC message, or the error response to send back. */
export function parseFrame(text: string): { message: JSONRPCMessage } | { reply: JSONRPCMessage; problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { reply: errorResponse(null, PARSE_ERROR, 'Parse error: the frame is not JSON'), problem: 'a frame that is not JSON' };
  }
  try {
    return { message: parseJSONRPCMessage(value) };
  } catch {
    const id = idOf(value);
    return { reply: errorResponse(id, INVALID_REQUEST, 'Invalid Request: not a JSON-RPC 2.0 message'), problem: 'a frame that is not a JSON-RPC message' };
  }
}

export function errorResponse(id: RequestId | null, code: number, message: string): JSONRPCMessage {
  return { jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage;
}

export function isRequest(m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId; method: string } {
  return 'method' in m && 'id' in m && m.id !== undefined;
}

export function isResponse(m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } {
  return !('method' in m) && 'id' in m && ('result' in m || 'error' in m);
}

function idOf(value: unknown): RequestId | null {
  if (value && typeof value === 'object' && 'id' in value) {
    const id = (value as { id: unknown }).id;
    if (typeof id === 'string' || typeof id === 'number') return id;
  }
  return null;
}
