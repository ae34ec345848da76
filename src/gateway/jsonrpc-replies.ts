import type { FastifyReply } from 'fastify';
import { exceedsJsonDepth, JSON_TOO_DEEP } from '../lib/json-depth.js';

/** A JSON-RPC error as the body of a plain HTTP answer (before any MCP session handles the request). */
export function sendJsonRpcError(reply: FastifyReply, status: number, code: number, message: string, id: string | number | null = null): FastifyReply {
  return reply
    .status(status)
    .type('application/json')
    .send({ jsonrpc: '2.0', error: { code, message }, id });
}

export type ParsedBody =
  | { ok: true; message: Record<string, unknown> }
  | { ok: false; status: number; code: number; message: string };

/** Parses a POSTed body: one JSON-RPC message; malformed JSON, too deep JSON, batches and non-messages are refused. */
export function parseJsonRpcBody(text: unknown): ParsedBody {
  if (typeof text !== 'string' || text.trim() === '') return { ok: false, status: 400, code: -32700, message: 'Parse error: empty body' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, status: 400, code: -32700, message: `Parse error: ${(err as Error).message}` };
  }
  if (exceedsJsonDepth(value)) return { ok: false, status: 400, code: -32600, message: `Invalid Request: ${JSON_TOO_DEEP}` };
  if (Array.isArray(value)) {
    return { ok: false, status: 400, code: -32600, message: 'Invalid Request: JSON-RPC batches are not supported (send one message per request)' };
  }
  if (!value || typeof value !== 'object' || (value as { jsonrpc?: unknown }).jsonrpc !== '2.0') {
    return { ok: false, status: 400, code: -32600, message: 'Invalid Request: expected a JSON-RPC 2.0 message' };
  }
  const m = value as Record<string, unknown>;
  const isRequestLike = typeof m['method'] === 'string';
  const isResponseLike = 'result' in m || 'error' in m;
  if (!isRequestLike && !isResponseLike) return { ok: false, status: 400, code: -32600, message: 'Invalid Request: no method, result or error' };
  return { ok: true, message: m };
}
