import { randomBytes } from 'node:crypto';
import { InMemoryTransport, type JSONRPCNotification, type Server, type Transport } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal.js';
import type { Database } from '../db/database.js';
import { AppError } from '../http/app-error.js';
import type { Supervisor } from '../servers/supervisor.js';
import type { TrafficRecorder } from '../protocol-log/protocol-recorder.js';
import { serverAllowed } from './allowlist.js';
import { buildCatalogue, type CatalogueTool } from './catalogue.js';
import { createGatewayMetrics, type GatewayMetricsSnapshot, type SessionTransport } from './gateway-metrics.js';
import { createSessionRegistry, ownerOf, toSessionView, type GatewaySession, type SessionView } from './gateway-sessions.js';
import { createGatewayRepository } from './gateway.repository.js';
import { startIdleReaper } from './idle-reaper.js';
import { createKeyPolicies, type KeyPolicies } from './key-policies.js';
import { createServerAccess, EVERY_SERVER, type ServerScope, visibleOnly } from './server-access.js';
import { createListChanges, type ChangeKind } from './list-changes.js';
import { createResourceSubscriptions } from './resource-subscriptions.js';
import { createResourceUpdates } from './resource-updates.js';
import { upstreamFace } from './session-face.js';
import { toProtocolError } from './upstream-errors.js';
import { createSessionRouter, type SessionRouter, type SessionScope } from './session-router.js';
import { forwardServerLog } from './server-logs.js';
import { createSessionServer } from './session-server.js';
import { createToolPins, type ToolPins } from './tool-pins.js';
import { namespacedName } from './tool-names.js';
import { createManagedSource, type BuiltinServer } from './upstream-sources.js';
import { asServerSide, TappedTransport } from '../servers/message-tap.js';

export interface GatewayConfig {
  /** Between server and tool in aggregated names (default `__`). */
  separator: string;
  /** HTTP and SSE sessions idle this long are closed. */
  sessionIdleMs: number;
  /** Open sessions at most; a new one beyond is refused (503). */
  maxSessions: number;
}

export interface GatewayDeps {
  db: Kysely<Database>;
  supervisor: Supervisor;
  recorder: Pick<TrafficRecorder, 'record'>;
  log: Logger;
  config: GatewayConfig;
  /** Built-in in-process servers (e.g. the log-service server `mcps`), aggregated like managed ones. */
  builtins?: BuiltinServer[];
}

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

export function callerOf(p: Principal): string {
  return `${p.type === 'api_key' ? 'api_key' : 'user'}:${p.name}`;
}

/**
 * The MCP gateway: sessions (Streamable HTTP, SSE, in-process) over the supervisor's one shared
 * connection per server and the built-in servers, with allowlists, tool pinning, recording,
 * list_changed propagation and metrics.
 */
export function createGatewayService(deps: GatewayDeps) {
  const { log, supervisor, config } = deps;
  const repo = createGatewayRepository(deps.db);
  const pins: ToolPins = createToolPins({ repo, log });
  const policies: KeyPolicies = createKeyPolicies(repo);
  const access = createServerAccess({ policies, separator: config.separator });
  const managed = createManagedSource(supervisor);
  const builtins: readonly BuiltinServer[] = deps.builtins ?? [];
  const metrics = createGatewayMetrics();
  const sessions = createSessionRegistry();
  const subscriptions = createResourceSubscriptions({ connection: (server) => supervisor.connection(server), log });
  const forwardResourceUpdated = createResourceUpdates({ session: (id) => sessions.get(id), policies, subscriptions });
  // A restarted server runs on a new connection: the URIs sessions hold are subscribed again.
  const onTransition = (e: { server: string; from: string; to: string }) => {
    if (e.from === 'running') subscriptions.lost(e.server);
    if (e.to === 'running') void subscriptions.resubscribe(e.server);
  };
  supervisor.events.on('transition', onTransition);

  const routerDeps = {
    managed,
    builtins,
    pins,
    subscriptions,
    allowlist: (p: Principal) => policies.allowlistFor(p),
    separator: config.separator,
    log,
    onCall: (outcome: 'ok' | 'error' | 'denied', ms: number) => metrics.call(outcome, ms),
  };

  const perKeyMax = Math.max(1, Math.min(100, Math.floor(config.maxSessions / 4)));
  const exists = (name: string) => builtins.some((b) => b.name === name) || managed.has(name);

  /** Throws AppError('not_found') unless `endpoint` (null: the aggregate) exists and the caller may use it. */
  const assertEndpoint = async (principal: Principal, endpoint: string | null): Promise<void> => {
    if (endpoint === null) return;
    const list = await policies.allowlistFor(principal);
    if (!exists(endpoint) || !serverAllowed(list, endpoint)) throw new AppError('not_found', `no MCP server '${endpoint}' available to this caller`);
  };

  const faceOf = (scope: SessionScope, router: SessionRouter) => upstreamFace({ supervisor, builtins }, scope, router);

  const changes = createListChanges({ supervisor, sessions: () => sessions.all() });
  const stopReaper = startIdleReaper({ idleMs: config.sessionIdleMs, sessions: () => sessions.all(), log });

  const service = {
    /**
     * Opens a gateway session on `transport` (unstarted): builds its router and SDK server and
     * connects them. Throws a ProtocolError for an unknown or unavailable server endpoint, and
     * AppError('unavailable') when the session limit is reached.
     */
    async openSession(opts: OpenSessionOptions): Promise<GatewaySession> {
      if (sessions.size >= config.maxSessions) {
        metrics.sessionRejected();
        throw new AppError('unavailable', `the gateway has ${config.maxSessions} open sessions (MCPS_GATEWAY_MAX_SESSIONS); try again later`);
      }
      // One key cannot crowd out the others: past its share, its least recently used session goes.
      const own = sessions.all().filter((s) => ownerOf(s.principal) === ownerOf(opts.principal) && s.transport !== 'in-process');
      if (opts.kind !== 'in-process' && own.length >= perKeyMax) {
        const lru = own.reduce((a, b) => (a.lastSeenAt <= b.lastSeenAt ? a : b));
        log.info({ session: lru.id.slice(0, 8), caller: lru.caller }, 'gateway: the key has too many sessions; its least recently used one is closed');
        await lru.close();
      }
      const endpoint = opts.server ?? null;
      const id = opts.id ?? newSessionId();
      const scope: SessionScope = { id, principal: opts.principal, caller: opts.caller ?? callerOf(opts.principal), endpoint };
      await assertEndpoint(opts.principal, endpoint);
      const router = createSessionRouter(routerDeps, scope);
      const face = await faceOf(scope, router);
      const server = createSessionServer(router, face);
      const now = Date.now();
      let closing: Promise<void> | null = null;
      const session: GatewaySession = {
        id,
        principal: opts.principal,
        caller: scope.caller,
        endpoint,
        transport: opts.kind,
        createdAt: now,
        lastSeenAt: now,
        server,
        wire: opts.transport,
        router,
        close: () =>
          (closing ??= (async () => {
            if (sessions.remove(id)) metrics.sessionClosed(opts.kind);
            await server.close().catch(() => {});
            await router.close();
          })()),
      };
      // Recorded as the table defines direction: `out` client -> gateway, `in` gateway -> client.
      // The recorder copies and queues; nothing waits for it.
      const recorded = new TappedTransport(opts.transport, (direction, message) => {
        session.lastSeenAt = Date.now();
        deps.recorder.record(GATEWAY_LOG_SERVER, asServerSide(direction), message, { caller: scope.caller, sessionId: id });
      });
      server.onclose = () => void session.close();
      sessions.add(session);
      metrics.sessionOpened(opts.kind);
      try {
        await server.connect(recorded);
      } catch (err) {
        await session.close();
        throw err;
      }
      return session;
    },

    /**
     * An in-process gateway session (for mcp_pipe and tests): returns the client side of a linked
     * in-memory transport pair; the gateway serves the other side with the same allowlists, pinning
     * and recording as HTTP sessions. `caller` labels the protocol log (e.g. `pipe:example.com`).
     * Closing the returned transport ends the session.
     */
    async openInProcessSession(opts: { principal: Principal; server?: string; caller?: string }): Promise<Transport> {
      const [client, serverSide] = InMemoryTransport.createLinkedPair();
      await service.openSession({ principal: opts.principal, server: opts.server, caller: opts.caller, transport: serverSide, kind: 'in-process' });
      return client;
    },

    /**
     * A server for one stateless (2026-07-28) request: same routing, allowlists and pinning as a
     * session, upstream calls recorded with the caller (no session id). Its built-in clients close
     * with it.
     */
    async statelessServer(principal: Principal, endpoint: string | null): Promise<Server> {
      await assertEndpoint(principal, endpoint);
      const scope: SessionScope = { id: null, principal, caller: callerOf(principal), endpoint };
      const router = createSessionRouter(routerDeps, scope);
      const server = createSessionServer(router, await faceOf(scope, router));
      server.onclose = () => void router.close();
      return server;
    },

    /** Called when a server's lists change (stateless clients listen through the HTTP handler). */
    onListChange: (listener: (server: string, kind: ChangeKind) => void): (() => void) => changes.listen(listener),

    assertEndpoint,
    /**
     * Throws the ProtocolError a session's `initialize` gets when `endpoint` is a managed server
     * that is not running (waits for a start in progress); the aggregate and built-ins always pass.
     */
    async assertReachable(endpoint: string | null): Promise<void> {
      if (endpoint === null || builtins.some((b) => b.name === endpoint)) return;
      await supervisor.connection(endpoint).catch((err: unknown) => {
        throw toProtocolError(err, endpoint);
      });
    },
    findSession: (id: string, principal: Principal, endpoint: string | null) => sessions.find(id, principal, endpoint),
    findOwnedSession: (id: string, principal: Principal) => sessions.findOwned(id, principal),
    /** Open sessions; those of a `/mcp/{server}` endpoint only when `scope` sees the server. */
    sessions: (scope: ServerScope = EVERY_SERVER): SessionView[] => visibleOnly(scope, sessions.all(), (s) => s.endpoint).map(toSessionView),
    /** Closes every session of these transports (the HTTP server is about to stop). */
    async closeSessions(kinds: SessionTransport[]): Promise<void> {
      await Promise.all(sessions.all().filter((s) => kinds.includes(s.transport)).map((s) => s.close()));
    },
    async closeSession(id: string): Promise<void> {
      const s = sessions.get(id);
      if (!s) throw AppError.notFound('gateway session', id);
      await s.close();
    },

    /** The aggregated catalogue across every running server (admin view): mapping and pin state; only the tools `principal` may call. */
    async catalogue(principal: Principal): Promise<CatalogueTool[]> {
      const scope = await access.scopeFor(principal);
      const all = await buildCatalogue({ managed, builtins, pins, separator: config.separator, log }, principal);
      return all.filter((t) => scope.mayCall(t.server, t.tool));
    },

    /** Approves the pending definition of a quarantined tool (by exposed or full name) that `scope` may call. */
    async approve(name: string, by: string, expectedHash?: string, scope: ServerScope = EVERY_SERVER): Promise<CatalogueTool | { server: string; tool: string; state: string }> {
      const target = await resolvePinned(name);
      if (!scope.mayCall(target.server, target.tool)) throw AppError.notFound('gateway tool', name);
      const row = await pins.approve(target.server, target.tool, by, expectedHash);
      log.info({ server: row.server, tool: row.tool, by }, 'gateway: tool definition approved');
      changes.changed(row.server, 'tools');
      return { server: row.server, tool: row.tool, state: row.state };
    },

    /**
     * A managed server's notification (from the servers runtime): logging messages go to every
     * session that may see that server, as its own log level allows; in the aggregate the logger
     * name is prefixed with the server's. Resource updates go to the sessions subscribed to them.
     */
    onServerNotification(server: string, notification: JSONRPCNotification): void {
      forwardServerLog(sessions.all(), policies, server, notification);
      forwardResourceUpdated(server, notification);
    },


    policies,
    /** What each caller may see of the servers: the rule every face (REST, logs, status) applies. */
    access,
    pins,
    separator: config.separator,
    async requireApiKey(id: string): Promise<void> {
      if (!(await repo.apiKeyExists(id))) throw AppError.notFound('API key', id);
    },
    metrics: (): GatewayMetricsSnapshot => metrics.snapshot(),

    async close(): Promise<void> {
      stopReaper();
      changes.close();
      supervisor.events.off('transition', onTransition);
      await Promise.all(sessions.all().map((s) => s.close()));
    },
  };

  /** `server__tool` (full or shortened) -> the pinned (server, tool). */
  const resolvePinned = async (name: string): Promise<{ server: string; tool: string }> => {
    const all = await pins.all();
    const hit = all.find((p) => namespacedName(p.server, p.tool, config.separator) === name || `${p.server}${config.separator}${p.tool}` === name);
    if (!hit) throw AppError.notFound('gateway tool', name);
    return { server: hit.server, tool: hit.tool };
  };

  return service;
}

export type GatewayService = ReturnType<typeof createGatewayService>;
