import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { exceedsJsonDepth, JSON_TOO_DEEP } from './json-depth.js';

/**
 * The one JSON-RPC 2.0 envelope parser for every face that reads messages from outside: `/mcp`,
 * `/mcp/{server}`, `/messages` (legacy SSE), `mcps log-service` on stdio and the pipe's WebSocket.
 * Only the envelope is checked and nothing is copied or stripped (servers validate their own params).
 */

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;

export type RequestId = string | number;

/** Why a text was refused: the JSON-RPC error to answer with, and the id to answer to (null when unreadable). */
export interface EnvelopeRefusal {
  ok: false;
  code: number;
  message: string;
  id: RequestId | null;
}

export type ParsedEnvelope = { ok: true; message: JSONRPCMessage } | EnvelopeRefusal;

const refuse = (code: number, message: string, id: RequestId | null = null): EnvelopeRefusal => ({ ok: false, code, message, id });

/** The answer to a message longer than a face accepts (stdio lines; HTTP bodies get a 413). */
export const tooLarge = (bytes: number, limit: number): EnvelopeRefusal =>
  refuse(INVALID_REQUEST, `Invalid Request: message too large: ${bytes} bytes, limit ${limit}`);

/**
 * One message as text: not JSON is -32700; too deep, a batch (MCP dropped batches in revision
 * 2025-06-18) or not a JSON-RPC 2.0 message is -32600, answered to the message's id when it can be read.
 */
export function parseJsonRpc(text: string): ParsedEnvelope {
  if (text.trim() === '') return refuse(PARSE_ERROR, 'Parse error: empty message');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return refuse(PARSE_ERROR, `Parse error: ${(err as Error).message}`);
  }
  if (exceedsJsonDepth(value)) return refuse(INVALID_REQUEST, `Invalid Request: ${JSON_TOO_DEEP}`, idOf(value));
  if (Array.isArray(value)) return refuse(INVALID_REQUEST, 'Invalid Request: JSON-RPC batches are not supported (send one message at a time)');
  const message = asJsonRpc(value);
  if (message) return { ok: true, message };
  return refuse(INVALID_REQUEST, `Invalid Request: ${envelopeProblem(value)}`, idOf(value));
}

/**
 * The message itself if it has the shape of a JSON-RPC 2.0 request, notification or response, else null.
 */
export function asJsonRpc(value: unknown): JSONRPCMessage | null {
  return value && typeof value === 'object' && !Array.isArray(value) && envelopeProblem(value) === null ? (value as JSONRPCMessage) : null;
}

export function errorResponse(id: RequestId | null, code: number, message: string): JSONRPCMessage {
  return { jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage;
}

/** What is wrong with an envelope, or null when it is a JSON-RPC 2.0 message. */
function envelopeProblem(value: unknown): string | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'expected a JSON-RPC 2.0 message (an object)';
  const m = value as Record<string, unknown>;
  if (m['jsonrpc'] !== '2.0') return 'expected a JSON-RPC 2.0 message ("jsonrpc": "2.0")';
  const id = m['id'];
  const idOk = isId(id);
  if ('method' in m) {
    if (typeof m['method'] !== 'string') return 'method must be a string';
    if (id !== undefined && !idOk) return 'id must be a string or a whole number of at most 2^53 - 1';
    if (m['params'] !== undefined && (typeof m['params'] !== 'object' || m['params'] === null)) return 'params must be an object or an array';
    return null;
  }
  if ('result' in m) return idOk && typeof m['result'] === 'object' && m['result'] !== null ? null : 'a result needs an id and an object result';
  if ('error' in m) {
    const e = m['error'] as Record<string, unknown> | null;
    const errorOk = !!e && typeof e === 'object' && typeof e['code'] === 'number' && typeof e['message'] === 'string';
    return (idOk || id === null || id === undefined) && errorOk ? null : 'an error needs a numeric code and a message';
  }
  return 'no method, result or error';
}

/** A string or a whole number the SDK can keep exactly (it drops other ids silently: the caller would wait forever). */
function isId(id: unknown): id is RequestId {
  return typeof id === 'string' || Number.isSafeInteger(id);
}

function idOf(value: unknown): RequestId | null {
  const id = value && typeof value === 'object' && !Array.isArray(value) ? (value as { id?: unknown }).id : undefined;
  return isId(id) ? id : null;
}
