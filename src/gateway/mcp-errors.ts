import { ProtocolError, ProtocolErrorCode, SdkError, type CallToolResult } from '@modelcontextprotocol/server';
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';
import { AppError } from '../http/app-error.js';
import type { RequestId } from '../lib/jsonrpc-envelope.js';
import { isServerError } from '../servers/server-errors.js';

/**
 * The MCP face's one error mapper (the REST face's is `servers/server-error-map.ts`, rendered by
 * `http/error-handler.ts`). Every error an MCP client sees is shaped here.
 *
 * What `/mcp`, `/mcp/{server}`, `/sse` and `/messages` answer:
 * - Refused before any JSON-RPC exchange, at the HTTP level, by the one REST renderer
 *   (problem+json): no or a wrong credential (401), a credential without `gateway:use` (403), a
 *   URL that names no server this caller may use (404, `assertEndpoint`), a body over
 *   MCPS_BODY_LIMIT (413) or of another content type (415). These say "this URL is not for you",
 *   like any other route.
 * - Everything raised once a JSON-RPC message is being answered is a JSON-RPC error object, never
 *   problem+json: a refused envelope, a missing session, a foreign Origin, an upstream that fails,
 *   the gateway's own limits. Before the SDK takes the request: `sendMcpError` (HTTP status and a
 *   JSON-RPC body); inside the SDK: a thrown `ProtocolError` (`toProtocolError`, `deniedError`).
 * - A tool of a built-in server that fails as expected (AppError) is a tool result with
 *   `isError: true` (`toolResult`), so the model reads why.
 */

/** JSON-RPC "server error" range: the gateway's own refusals (session limits, missing sessions). */
export const GATEWAY_ERROR = -32000;
/** The Mcp-Session-Id (or legacy sessionId) names no session of this caller. */
export const SESSION_NOT_FOUND = -32001;

/**
 * What a gateway client sees when an upstream fails: the upstream's own JSON-RPC error as is, or an
 * internal error naming the server and why (not running, died mid-call, timed out).
 */
export function toProtocolError(err: unknown, server: string): ProtocolError {
  if (err instanceof ProtocolError) return err;
  if (isServerError(err)) {
    if (err.code === 'MCP_ERROR' && typeof err.details?.['rpcCode'] === 'number') {
      return new ProtocolError(err.details['rpcCode'], err.message, err.details['data']);
    }
    return new ProtocolError(ProtocolErrorCode.InternalError, err.message, { server, reason: err.code });
  }
  if (err instanceof SdkError) return new ProtocolError(ProtocolErrorCode.InternalError, `MCP server "${server}": ${err.message}`, { server });
  return new ProtocolError(ProtocolErrorCode.InternalError, `MCP server "${server}" failed: ${(err as Error)?.message ?? String(err)}`, { server });
}

/** A request the gateway refuses (not allowed, unknown, quarantined): invalid params, with why. */
export function deniedError(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, message);
}

interface JsonRpcAnswer {
  status: number;
  code: number;
  message: string;
  retryAfterSeconds?: number | undefined;
}

/**
 * The HTTP answer to an error raised before the SDK took the request: an upstream that failed
 * (ProtocolError) is 502 with its JSON-RPC error; a gateway refusal (AppError) keeps its status
 * with code -32000; anything else is a bug: 500, internal error, nothing leaked.
 */
function answerOf(err: unknown, log: FastifyBaseLogger): JsonRpcAnswer {
  if (err instanceof ProtocolError) return { status: 502, code: err.code, message: err.message };
  if (err instanceof AppError) return { status: err.status, code: GATEWAY_ERROR, message: err.message, retryAfterSeconds: err.details?.retryAfterSeconds };
  log.error({ err }, 'gateway: unexpected error before an MCP exchange');
  return { status: 500, code: ProtocolErrorCode.InternalError, message: 'Internal error' };
}

const body = (code: number, message: string, id: RequestId | null) => ({ jsonrpc: '2.0', error: { code, message }, id });

/** A JSON-RPC error as the body of a plain HTTP answer (before any MCP session handles the request). */
export function sendJsonRpcError(reply: FastifyReply, status: number, code: number, message: string, id: RequestId | null = null): FastifyReply {
  return reply.status(status).type('application/json').send(body(code, message, id));
}

/** `sendJsonRpcError` on Node's own response (a request served outside Fastify), with the same headers and body. */
export function writeJsonRpcError(res: ServerResponse, status: number, code: number, message: string, id: RequestId | null = null): void {
  const text = JSON.stringify(body(code, message, id));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Answers `err` (raised while answering the JSON-RPC message `id`) with a JSON-RPC error. */
export function sendMcpError(reply: FastifyReply, err: unknown, id: RequestId | null): FastifyReply {
  const a = answerOf(err, reply.log);
  if (a.retryAfterSeconds !== undefined) void reply.header('retry-after', String(a.retryAfterSeconds));
  return sendJsonRpcError(reply, a.status, a.code, a.message, id);
}

/** `sendMcpError` on a hijacked response (legacy SSE, whose stream owns the socket). */
export function writeMcpError(res: ServerResponse, err: unknown, log: FastifyBaseLogger): void {
  const a = answerOf(err, log);
  res.writeHead(a.status, { 'content-type': 'application/json', ...(a.retryAfterSeconds === undefined ? {} : { 'retry-after': String(a.retryAfterSeconds) }) });
  res.end(JSON.stringify(body(a.code, a.message, null)));
}

/**
 * Runs a built-in tool's service call and shapes the MCP result: the object as structured content
 * (and as JSON text for clients that read only text). Expected failures (AppError: not found,
 * forbidden, conflict, bad input) are tool results with `isError`, so the model sees why; anything
 * else is a bug and is rethrown (the SDK answers with a generic error and the platform logs it).
 */
export async function toolResult<T extends object>(run: () => Promise<T>): Promise<CallToolResult> {
  try {
    const value = await run();
    return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value as Record<string, unknown> };
  } catch (err) {
    if (err instanceof AppError) return toolError(err);
    throw err;
  }
}

function toolError(err: AppError): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: `${err.code}: ${err.message}` }] };
}
