import { randomBytes } from 'node:crypto';
import { InMemoryTransport, type Server, type Transport } from '@modelcontextprotocol/server';
import type { Logger } from 'pino';
import { callerLabel, type Principal } from '../../auth/principal.js';
import { AppError } from '../../http/app-error.js';
import { asServerSide, TappedTransport } from '../../servers/connection/message-tap.js';
import type { Supervisor } from '../../servers/supervision/supervisor.js';
import type { TrafficRecorder } from '../../protocol-log/protocol-recorder.js';
import { serverAllowed } from '../access/allowlist.js';
import type { GatewayMetrics, SessionTransport } from '../gateway-metrics.js';
import { ownerOf, type GatewaySession, type SessionRegistry } from './gateway-sessions.js';
import type { KeyPolicies } from '../access/key-policies.js';
import { toProtocolError } from '../mcp-errors.js';
import { upstreamFace } from './session-face.js';
import { createSessionRouter, type RouterDeps, type SessionRouter, type SessionScope } from './session-router.js';
import { createSessionServer } from './session-server.js';
import { InterceptingTransport } from '../transport/intercepting-transport.js';
import { createToolCallFastPath, type ToolCallFastPath } from './tool-call-fast-path.js';
import type { BuiltinServer, ManagedSource } from './upstream-sources.js';

/** The protocol log's server label for client <-> gateway messages. */
export const GATEWAY_LOG_SERVER = 'gateway';

export interface OpenSessionOptions {
  principal: Principal;
  /** Front one server unchanged; absent for the aggregate. */
  server?: string | null | undefined;
  /** Protocol-log caller label (default `api_key:<name>` or `user:<name>`). */
  caller?: string | undefined;
  transport: Transport;
  kind: SessionTransport;
  /** The session id (the HTTP transport's Mcp-Session-Id); random when absent. */
  id?: string;
}

/** A cryptographically random session id (256 bits, URL-safe). */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}


export interface SessionOpenerDeps {
  supervisor: Pick<Supervisor, 'connection'>;
  managed: ManagedSource;
  builtins: readonly BuiltinServer[];
  policies: Pick<KeyPolicies, 'allowlistFor'>;
  sessions: SessionRegistry;
  metrics: GatewayMetrics;
  recorder: Pick<TrafficRecorder, 'record'>;
  routerDeps: RouterDeps;
  log: Pick<Logger, 'info'>;
  /** Open sessions at most; a new one beyond is refused (503). */
  maxSessions: number;
}

/** The gateway-wide limit refuses (503); past a key's share, its least recently used session goes. */
async function makeRoom(deps: SessionOpenerDeps, principal: Principal, kind: SessionTransport): Promise<void> {
  const { sessions } = deps;
  if (sessions.size >= deps.maxSessions) {
    deps.metrics.sessionRejected();
    throw new AppError('unavailable', `the gateway has ${deps.maxSessions} open sessions (MCPS_GATEWAY_MAX_SESSIONS); try again later`);
  }
  const perKeyMax = Math.max(1, Math.min(100, Math.floor(deps.maxSessions / 4)));
  const own = sessions.all().filter((s) => ownerOf(s.principal) === ownerOf(principal) && s.transport !== 'in-process');
  if (kind !== 'in-process' && own.length >= perKeyMax) {
    const lru = own.reduce((a, b) => (a.lastSeenAt <= b.lastSeenAt ? a : b));
    deps.log.info({ session: lru.id.slice(0, 8), caller: lru.caller }, 'gateway: the key has too many sessions; its least recently used one is closed');
    await lru.close();
  }
}

/** The session record; closing it (once) removes it and closes its SDK server and router. */
function sessionOf(
  deps: Pick<SessionOpenerDeps, 'sessions' | 'metrics'>,
  scope: SessionScope & { id: string },
  opts: OpenSessionOptions,
  server: Server,
  router: SessionRouter,
  fastPath: ToolCallFastPath | null,
): GatewaySession {
  const now = Date.now();
  let closing: Promise<void> | null = null;
  return {
    id: scope.id,
    principal: opts.principal,
    caller: scope.caller,
    endpoint: scope.endpoint,
    transport: opts.kind,
    createdAt: now,
    lastSeenAt: now,
    server,
    wire: opts.transport,
    router,
    close: () =>
      (closing ??= (async () => {
        if (deps.sessions.remove(scope.id)) deps.metrics.sessionClosed(opts.kind);
        fastPath?.close();
        await server.close().catch(() => {});
        await router.close();
      })()),
  };
}

/**
 * Opening gateway sessions and stateless servers: which endpoint a caller may use, the session
 * limits, and one router and SDK server per session, recorded in the protocol log.
 */
export function createSessionOpener(deps: SessionOpenerDeps) {
  const { builtins, sessions, metrics } = deps;
  const exists = (name: string) => builtins.some((b) => b.name === name) || deps.managed.has(name);

  /** Throws AppError('not_found') unless `endpoint` (null: the aggregate) exists and the caller may use it. */
  const assertEndpoint = async (principal: Principal, endpoint: string | null): Promise<void> => {
    if (endpoint === null) return;
    const list = await deps.policies.allowlistFor(principal);
    if (!exists(endpoint) || !serverAllowed(list, endpoint)) throw new AppError('not_found', `no MCP server '${endpoint}' available to this caller`);
  };

  const faceOf = (scope: SessionScope, router: SessionRouter) => upstreamFace({ supervisor: deps.supervisor, builtins }, scope, router);

  /**
   * Opens a gateway session on `transport` (unstarted): builds its router and SDK server and
   * connects them. Throws AppError('not_found') for an endpoint the caller may not use,
   * AppError('unavailable') at the session limit, and a ProtocolError when the endpoint's server
   * does not answer.
   */
  const openSession = async (opts: OpenSessionOptions): Promise<GatewaySession> => {
    await makeRoom(deps, opts.principal, opts.kind);
    const endpoint = opts.server ?? null;
    const scope = { id: opts.id ?? newSessionId(), principal: opts.principal, caller: opts.caller ?? callerLabel(opts.principal), endpoint };
    await assertEndpoint(opts.principal, endpoint);
    const router = createSessionRouter(deps.routerDeps, scope);
    const server = createSessionServer(router, await faceOf(scope, router));
    let opened: GatewaySession | null = null;
    // Recorded as the table defines direction: `out` client -> gateway, `in` gateway -> client.
    // The recorder copies and queues; nothing waits for it.
    const recorded = new TappedTransport(opts.transport, (direction, message) => {
      if (opened) opened.lastSeenAt = Date.now();
      deps.recorder.record(GATEWAY_LOG_SERVER, asServerSide(direction), message, { caller: scope.caller, sessionId: scope.id });
    });
    // A per-server endpoint forwards tools/call raw (tool-call-fast-path.ts); the rest reaches the SDK server.
    const fastPath =
      endpoint === null ? null : createToolCallFastPath({ router, managed: deps.managed, builtins, wire: recorded, onCall: deps.routerDeps.onCall, log: deps.routerDeps.log });
    const wire = fastPath ? new InterceptingTransport(recorded, fastPath.take) : recorded;
    const session = sessionOf(deps, scope, opts, server, router, fastPath);
    opened = session;
    server.onclose = () => void session.close();
    sessions.add(session);
    metrics.sessionOpened(opts.kind);
    try {
      await server.connect(wire);
    } catch (err) {
      await session.close();
      throw err;
    }
    return session;
  };

  return {
    openSession,

    /**
     * An in-process gateway session (for mcp_pipe and tests): returns the client side of a linked
     * in-memory transport pair; the gateway serves the other side with the same allowlists, pinning
     * and recording as HTTP sessions. `caller` labels the protocol log (e.g. `pipe:example.com`).
     * Closing the returned transport ends the session.
     */
    async openInProcessSession(opts: { principal: Principal; server?: string; caller?: string }): Promise<Transport> {
      const [client, serverSide] = InMemoryTransport.createLinkedPair();
      await openSession({ principal: opts.principal, server: opts.server, caller: opts.caller, transport: serverSide, kind: 'in-process' });
      return client;
    },

    /**
     * A server for one stateless (2026-07-28) request: same routing, allowlists and pinning as a
     * session, upstream calls recorded with the caller (no session id). Its built-in clients close
     * with it.
     */
    async statelessServer(principal: Principal, endpoint: string | null): Promise<Server> {
      await assertEndpoint(principal, endpoint);
      const scope: SessionScope = { id: null, principal, caller: callerLabel(principal), endpoint };
      const router = createSessionRouter(deps.routerDeps, scope);
      const server = createSessionServer(router, await faceOf(scope, router));
      server.onclose = () => void router.close();
      return server;
    },

    assertEndpoint,

    /**
     * Throws the ProtocolError a session's `initialize` gets when `endpoint` is a managed server
     * that is not running (waits for a start in progress); the aggregate and built-ins always pass.
     */
    async assertReachable(endpoint: string | null): Promise<void> {
      if (endpoint === null || builtins.some((b) => b.name === endpoint)) return;
      await deps.supervisor.connection(endpoint).catch((err: unknown) => {
        throw toProtocolError(err, endpoint);
      });
    },
  };
}
