import type { FastifyReply } from 'fastify';
import { parseJsonRpc, type EnvelopeRefusal } from '../lib/jsonrpc-envelope.js';

/** A JSON-RPC error as the body of a plain HTTP answer (before any MCP session handles the request). */
export function sendJsonRpcError(reply: FastifyReply, status: number, code: number, message: string, id: string | number | null = null): FastifyReply {
  return reply
    .status(status)
    .type('application/json')
    .send({ jsonrpc: '2.0', error: { code, message }, id });
}

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
