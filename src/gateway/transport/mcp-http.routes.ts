import { toNodeHandler, toWebRequest } from '@modelcontextprotocol/node';
import { createMcpHandler, isLegacyRequest, type AuthInfo } from '@modelcontextprotocol/server';
import type { Principal } from '../../auth/principal.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayService } from '../gateway.service.js';
import { newSessionId } from '../sessions/session-opener.js';
import { hijackWithHeaders } from './hijack.js';
import { parseJsonRpcBody, refuseJsonRpcBody } from './jsonrpc-replies.js';
import { GATEWAY_ERROR, SESSION_NOT_FOUND, sendJsonRpcError, sendMcpError } from '../mcp-errors.js';
import { originAllowed } from './origin-check.js';
import { SessionHttpTransport } from './session-http-transport.js';
import { registerSseRoutes } from './sse.routes.js';

export interface McpHttpOptions {
  gateway: GatewayService;
  /** Browser origins allowed besides the request's own host; read per request (a runtime setting). */
  corsOrigins: () => readonly string[];
  /** The Protected Resource Metadata URL of a request path (RFC 9728), named in every 401/403; null: none. */
  resourceMetadataOf?: (path: string) => string | null;
}

const SESSION_HEADER = 'mcp-session-id';

/** The id of the JSON-RPC message being answered (null when there is none). */
const idOf = (body: Record<string, unknown> | undefined) => (body?.['id'] as string | number | undefined) ?? null;

/**
 * The gateway's Streamable HTTP endpoints: `/mcp` (every server the caller may use, namespaced) and
 * `/mcp/{server}` (one server, unchanged). API key (or user token) as `Authorization: Bearer`;
 * sessions are bound to the key that opened them; Origin checked (Host is checked app-wide).
 */
export async function mcpHttpRoutes(app: FastifyInstance, opts: McpHttpOptions): Promise<void> {
  const { gateway } = opts;

  // Bodies are parsed here so malformed JSON and batches get JSON-RPC errors, not problem+json.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  // Requests refused for a token's scope (src/auth/oauth/bearer-tokens.ts): their 403 says so.
  const scopeRefused = new WeakSet<object>();
  app.addHook('onError', async (request, _reply, error) => {
    if ((error as { details?: { oauthError?: string } }).details?.oauthError === 'insufficient_scope') scopeRefused.add(request);
  });
  // Callback hooks on every MCP request: no promise, no microtask.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode === 401 || (reply.statusCode === 403 && scopeRefused.has(request))) {
      const challenge = bearerChallenge(reply.statusCode, request.headers.authorization !== undefined || request.headers['x-api-key'] !== undefined, opts.resourceMetadataOf?.(request.url) ?? null);
      if (challenge) void reply.header('www-authenticate', challenge);
    }
    done(null, payload);
  });

  app.addHook('preHandler', (request, reply, done) => {
    const origin = request.headers.origin;
    if (originAllowed(origin, request.headers.host, opts.corsOrigins(), request.protocol)) return done();
    void sendJsonRpcError(reply, 403, GATEWAY_ERROR, `Forbidden: Origin '${origin}' is not allowed (set CORS_ORIGINS)`);
  });

  // The stateless 2026-07-28 revision: one server per request from the same router; 2025-era
  // traffic is routed to the sessionful wiring below (legacy: 'reject' keeps this handler strict).
  const modern = createMcpHandler(
    async (ctx) => {
      const extra = ctx.authInfo?.extra as { principal: Principal; endpoint: string | null } | undefined;
      if (!extra) throw new Error('no principal');
      return gateway.statelessServer(extra.principal, extra.endpoint);
    },
    { legacy: 'reject', onerror: (err) => app.log.debug({ err }, 'gateway: stateless request failed') },
  );
  const modernNode = toNodeHandler(modern);
  const offChange = gateway.onListChange((_server, kind) => {
    if (kind === 'tools' || kind === 'all') modern.notify.toolsChanged();
    if (kind === 'prompts' || kind === 'all') modern.notify.promptsChanged();
    if (kind === 'resources' || kind === 'resourceTemplates' || kind === 'all') modern.notify.resourcesChanged();
  });
  // Open SSE streams would keep the HTTP server from closing: end the sessions first.
  app.addHook('preClose', async () => {
    offChange();
    await gateway.closeSessions(['streamable-http', 'sse']);
    await modern.close();
  });

  const handle = async (request: FastifyRequest<{ Params: { server?: string } }>, reply: FastifyReply) => {
    const principal = request.principal!;
    const endpoint = request.params.server ?? null;
    const sessionHeader = request.headers[SESSION_HEADER];
    const sessionId = typeof sessionHeader === 'string' && sessionHeader.length > 0 ? sessionHeader : null;

    let body: Record<string, unknown> | undefined;
    if (request.method === 'POST') {
      const parsed = parseJsonRpcBody(request.body);
      if (!parsed.ok) return refuseJsonRpcBody(reply, parsed);
      body = parsed.message;
    }

    if (sessionId !== null) {
      const session = gateway.findSession(sessionId, principal, endpoint);
      if (!session) return sendJsonRpcError(reply, 404, SESSION_NOT_FOUND, 'Session not found');
      if (!(session.wire instanceof SessionHttpTransport)) return sendJsonRpcError(reply, 404, SESSION_NOT_FOUND, 'Session not found');
      hijackWithHeaders(reply);
      await session.wire.handleRequest(request.raw, reply.raw, body);
      return reply;
    }

    if (request.method !== 'POST') return sendJsonRpcError(reply, 400, GATEWAY_ERROR, 'Bad Request: Mcp-Session-Id header is required');
    // Checked before the exchange (the SDK answers 500 for anything its server factory throws); an
    // unknown endpoint is an HTTP 404, anything after is a JSON-RPC error (see mcp-errors.ts).
    if (body?.['method'] !== 'initialize' && !(await isLegacyRequest(await toWebRequest(request.raw, body), body))) {
      await gateway.assertEndpoint(principal, endpoint);
      try {
        await gateway.assertReachable(endpoint);
      } catch (err) {
        return sendMcpError(reply, err, idOf(body));
      }
      (request.raw as typeof request.raw & { auth?: AuthInfo }).auth = { token: '', clientId: principal.id, scopes: [], extra: { principal, endpoint } };
      hijackWithHeaders(reply);
      await modernNode(request.raw, reply.raw, body);
      return reply;
    }
    if (body?.['method'] !== 'initialize') {
      return sendJsonRpcError(reply, 400, GATEWAY_ERROR, 'Bad Request: no Mcp-Session-Id; start a session with initialize', idOf(body));
    }

    await gateway.assertEndpoint(principal, endpoint);
    const id = newSessionId();
    const transport = new SessionHttpTransport(id);
    let session: Awaited<ReturnType<GatewayService['openSession']>>;
    try {
      session = await gateway.openSession({ principal, server: endpoint, transport, kind: 'streamable-http', id });
    } catch (err) {
      await transport.close().catch(() => {});
      return sendMcpError(reply, err, idOf(body));
    }
    hijackWithHeaders(reply);
    await transport.handleRequest(request.raw, reply.raw, body);
    // An initialize the SDK refused (bad params, unsupported version) leaves no session to keep.
    if (transport.sessionId === undefined) await session.close();
    return reply;
  };

  // Several instances: a request lands wherever the balancer sends it, and goes on to the instance running the server (src/cluster/).
  const config = { auth: 'gateway:use' as const, forwardBy: 'server' };
  const schema = { hide: true };
  for (const url of ['/mcp', '/mcp/:server']) {
    app.route({ method: ['POST', 'GET', 'DELETE'], url, config, schema, handler: handle });
  }
  registerSseRoutes(app, gateway);
}

/**
 * The `WWW-Authenticate` challenge of a refused gateway request (RFC 6750, RFC 9728 section 5.1): where
 * the client finds how to get a token, and, when it sent one, why it was refused. Only a 403 for a
 * token's scope carries one; a plain 403 (origin, role) does not.
 */
function bearerChallenge(status: number, sentCredential: boolean, metadataUrl: string | null): string {
  const params = ['realm="mcps"'];
  if (status === 401 && sentCredential) params.push('error="invalid_token"');
  if (status === 403) params.push('error="insufficient_scope"', 'scope="mcp"');
  if (metadataUrl) params.push(`resource_metadata="${metadataUrl}"`);
  return `Bearer ${params.join(', ')}`;
}
