import type { FastifyReply } from 'fastify';
import { parseJsonRpc, type EnvelopeRefusal } from '../../lib/jsonrpc-envelope.js';
import { sendJsonRpcError } from '../mcp-errors.js';

export type ParsedBody = { ok: true; message: Record<string, unknown> } | EnvelopeRefusal;

/** A POSTed body (`/mcp`, `/messages`) as one JSON-RPC message; a refusal is answered with HTTP 400. */
export function parseJsonRpcBody(text: unknown): ParsedBody {
  const parsed = parseJsonRpc(typeof text === 'string' ? text : '');
  return parsed.ok ? { ok: true, message: parsed.message as unknown as Record<string, unknown> } : parsed;
}

/** Answers a refused body: HTTP 400 and the JSON-RPC error, to the message's id when it could be read. */
export function refuseJsonRpcBody(reply: FastifyReply, refusal: EnvelopeRefusal): FastifyReply {
  return sendJsonRpcError(reply, 400, refusal.code, refusal.message, refusal.id);
}
