import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayService } from '../gateway.service.js';
import { newSessionId } from '../sessions/session-opener.js';
import { hijackWithHeaders } from './hijack.js';
import { parseJsonRpcBody, refuseJsonRpcBody } from './jsonrpc-replies.js';
import { SESSION_NOT_FOUND, sendJsonRpcError, writeMcpError } from '../mcp-errors.js';
import { SseServerTransport } from './sse-server-transport.js';

/**
 * The legacy HTTP+SSE transport (2024-11-05): `GET /sse` (or `/sse/{server}`) opens the stream and
 * the session; `POST /messages?sessionId=` feeds it, only for the key that opened it. Registered
 * inside the MCP plugin (its body parser, Origin check and key guard apply).
 */
export function registerSseRoutes(app: FastifyInstance, gateway: GatewayService): void {
  const openSse = async (request: FastifyRequest<{ Params: { server?: string } }>, reply: FastifyReply) => {
    const server = request.params.server ?? null;
    // Like /mcp/{server}: a URL that names no server for this caller is an HTTP 404 (mcp-errors.ts).
    await gateway.assertEndpoint(request.principal!, server);
    const id = newSessionId();
    const transport = new SseServerTransport(id, reply.raw, '/messages');
    hijackWithHeaders(reply);
    try {
      await gateway.openSession({ principal: request.principal!, server, transport, kind: 'sse', id });
    } catch (err) {
      if (reply.raw.headersSent) return reply.raw.end();
      writeMcpError(reply.raw, err, request.log);
    }
    return reply;
  };

  const postSse = async (request: FastifyRequest<{ Querystring: { sessionId?: string } }>, reply: FastifyReply) => {
    const parsed = parseJsonRpcBody(request.body);
    if (!parsed.ok) return refuseJsonRpcBody(reply, parsed);
    const session = request.query.sessionId ? gateway.findOwnedSession(request.query.sessionId, request.principal!) : undefined;
    if (!session || !(session.wire instanceof SseServerTransport)) return sendJsonRpcError(reply, 404, SESSION_NOT_FOUND, 'Session not found');
    session.wire.receive(parsed.message as never);
    return reply.status(202).type('text/plain').send('Accepted');
  };

  const config = { auth: 'gateway:use' as const };
  const schema = { hide: true };
  for (const url of ['/sse', '/sse/:server']) app.get(url, { config, schema }, openSse);
  app.post('/messages', { config, schema }, postSse);
}
