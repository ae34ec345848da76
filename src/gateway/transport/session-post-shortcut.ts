import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { looksLikeApiKey } from '../../auth/api-key-secret.js';
import type { AuthService } from '../../auth/auth.service.js';
import { roleHas } from '../../auth/permissions.js';
import type { Forwarding } from '../../cluster/forward-hook.js';
import { FORWARDED_HEADER } from '../../cluster/forward-signature.js';
import { credentialOf } from '../../http/auth-guard.js';
import { requestIdOf } from '../../http/request-id.js';
import type { SecurityRules } from '../../http/security.js';
import { SERVER_NAME } from '../../servers/server-definition.js';
import type { HttpStats } from '../../system/http-stats.js';
import type { GatewayService } from '../gateway.service.js';
import { writeJsonRpcError } from '../mcp-errors.js';
import { parseJsonRpcBody } from './jsonrpc-replies.js';
import { SessionHttpTransport } from './session-http-transport.js';

export interface ShortcutDeps {
  gateway: Pick<GatewayService, 'findSession'>;
  auth: Pick<AuthService, 'authenticateApiKey'>;
  security: SecurityRules;
  forwarding: Forwarding;
  stats: Pick<HttpStats, 'record'>;
  bodyLimit: number;
  log: Pick<Logger, 'debug' | 'error' | 'isLevelEnabled'>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** The route the shortcut stands in for (its requests are counted under it, as Fastify counts them). */
const ROUTE = '/mcp/:server';
const served = new WeakMap<FastifyInstance, { count: number }>();

/** How many requests the shortcut of `app` has served (for tests). */
export const shortcutServed = (app: FastifyInstance): number => served.get(app)?.count ?? 0;

/**
 * The hot request of the gateway, a `POST` to `/mcp/{server}` in an open Streamable HTTP session,
 * served without Fastify's generic pipeline (its hooks, request and reply objects and body parser
 * cost ~150 µs of a call's latency; docs/benchmarks.md). Only the plain case is taken: no Origin
 * (no CORS decision), not forwarded by another instance, JSON with a Content-Length within the body
 * limit, an allowed Host, an API key that authenticates with `gateway:use`, a server this instance
 * runs and a session of that key and server. The checks read headers only, so anything else, every
 * refusal included, goes on untouched to Fastify, which answers as before. What is taken gets the
 * same headers, body parsing, JSON-RPC errors and HTTP stats, and goes to the same session transport.
 */
export function installSessionPostShortcut(app: FastifyInstance, deps: ShortcutDeps): void {
  const generic = app.server.listeners('request') as Handler[];
  if (generic.length !== 1) return;
  const fastify = generic[0]!;
  const stats = { count: 0 };
  served.set(app, stats);
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });

  /** The session transport to serve the request, or null: Fastify serves it (and any refusal). */
  const sessionFor = async (req: IncomingMessage, server: string, sessionId: string): Promise<SessionHttpTransport | null> => {
    const credential = credentialOrNull(req);
    if (credential === null || !looksLikeApiKey(credential)) return null;
    const principal = await deps.auth.authenticateApiKey(credential).catch(() => null);
    if (principal === null || !roleHas(principal.role, 'gateway:use')) return null;
    if (!(await deps.forwarding.runsHere(server))) return null;
    const session = deps.gateway.findSession(sessionId, principal, server);
    return session?.wire instanceof SessionHttpTransport ? session.wire : null;
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, wire: SessionHttpTransport) => {
    const started = performance.now();
    const id = requestIdOf(req);
    res.setHeader('x-request-id', id);
    for (const [name, value] of Object.entries(deps.security.headersWithoutOrigin())) res.setHeader(name, value);
    res.once('finish', () => {
      const ms = performance.now() - started;
      deps.stats.record('POST', ROUTE, res.statusCode, ms);
      if (deps.log.isLevelEnabled('debug')) deps.log.debug({ reqId: id, method: 'POST', url: req.url, status: res.statusCode, ms: Math.round(ms) }, 'request');
    });
    const text = await bodyOf(req);
    if (text === null) return void res.destroy();
    const parsed = parseJsonRpcBody(text);
    if (!parsed.ok) return writeJsonRpcError(res, 400, parsed.code, parsed.message, parsed.id);
    await wire.handleRequest(req, res, parsed.message);
  };

  app.server.removeListener('request', fastify);
  app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const target = closing ? null : candidate(req, deps);
    if (target === null) return fastify(req, res);
    sessionFor(req, target.server, target.sessionId).then(
      (wire) => {
        if (wire === null) return fastify(req, res);
        stats.count++;
        serve(req, res, wire).catch((err: unknown) => {
          deps.log.error({ err }, 'gateway: a session request failed');
          if (!res.headersSent) writeJsonRpcError(res, 500, -32603, 'Internal error');
          else res.destroy();
        });
      },
      () => fastify(req, res),
    );
  });
}

/** The server and session of a request the shortcut may take (headers only), or null. */
function candidate(req: IncomingMessage, deps: ShortcutDeps): { server: string; sessionId: string } | null {
  if (req.method !== 'POST' || !req.url?.startsWith('/mcp/')) return null;
  const server = req.url.slice(5);
  const sessionId = req.headers['mcp-session-id'];
  if (typeof sessionId !== 'string' || sessionId.length === 0 || !SERVER_NAME.test(server)) return null;
  const h = req.headers;
  if (h.origin !== undefined || h[FORWARDED_HEADER] !== undefined || !deps.security.hostAllowed(h.host)) return null;
  if (h['content-type']?.split(';')[0]!.trim().toLowerCase() !== 'application/json') return null;
  const length = Number(h['content-length']);
  if (!(length >= 0 && length <= deps.bodyLimit) || h['transfer-encoding'] !== undefined) return null;
  return { server, sessionId };
}

function credentialOrNull(req: IncomingMessage): string | null {
  try {
    return credentialOf(req);
  } catch {
    return null;
  }
}

/** The request's body as text, or null when the client went away first. */
function bodyOf(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.once('error', () => resolve(null));
    req.once('aborted', () => resolve(null));
  });
}
