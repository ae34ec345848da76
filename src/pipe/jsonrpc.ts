import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { exceedsJsonDepth, JSON_TOO_DEEP } from '../lib/json-depth.js';

/** JSON-RPC error codes the pipe answers with itself. */
export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
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
  if (exceedsJsonDepth(value)) return { reply: errorResponse(idOf(value), INVALID_REQUEST, `Invalid Request: ${JSON_TOO_DEEP}`), problem: 'a frame nested too deep' };
  const message = asJsonRpc(value);
  if (message) return { message };
  return { reply: errorResponse(idOf(value), INVALID_REQUEST, 'Invalid Request: not a JSON-RPC 2.0 message'), problem: 'a frame that is not a JSON-RPC message' };
}

/**
 * The message itself if it has the shape of a JSON-RPC 2.0 request, notification or response, else
 * null. Only the envelope is checked and nothing is copied or stripped: a relay passes messages on
 * unchanged (the server and the endpoint validate their own params and results).
 */
export function asJsonRpc(value: unknown): JSONRPCMessage | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const m = value as Record<string, unknown>;
  if (m['jsonrpc'] !== '2.0') return null;
  const id = m['id'];
  const idOk = typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
  if (typeof m['method'] === 'string') {
    if (id !== undefined && !idOk) return null;
    if (m['params'] !== undefined && (typeof m['params'] !== 'object' || m['params'] === null)) return null;
    return value as JSONRPCMessage;
  }
  if ('result' in m) return idOk && typeof m['result'] === 'object' && m['result'] !== null ? (value as JSONRPCMessage) : null;
  if ('error' in m) {
    const e = m['error'] as Record<string, unknown> | null;
    return (idOk || id === null || id === undefined) && !!e && typeof e === 'object' && typeof e['code'] === 'number' && typeof e['message'] === 'string'
      ? (value as JSONRPCMessage)
      : null;
  }
  return null;
}

/** For StdioChildTransport: the same envelope check, throwing (the line is then reported as noise). */
export function parseJsonRpcEnvelope(value: unknown): JSONRPCMessage {
  const m = asJsonRpc(value);
  if (!m) throw new Error('not a JSON-RPC 2.0 message');
  return m;
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
