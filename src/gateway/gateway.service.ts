import type { JSONRPCNotification } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal.js';
import type { Database } from '../db/database.js';
import { AppError } from '../http/app-error.js';
import type { Supervisor } from '../servers/supervision/supervisor.js';
import type { TrafficRecorder } from '../protocol-log/protocol-recorder.js';
import { createGatewayMetrics, type GatewayMetricsSnapshot, type SessionTransport } from './gateway-metrics.js';
import { createSessionRegistry, toSessionView, type SessionView } from './sessions/gateway-sessions.js';
import { createGatewayRepository } from './gateway.repository.js';
import { startIdleReaper } from './sessions/idle-reaper.js';
import { createKeyPolicies, type KeyPolicies } from './access/key-policies.js';
import { createListChanges, type ChangeKind } from './sessions/list-changes.js';
import { createResourceSubscriptions } from './sessions/resource-subscriptions.js';
import { createResourceUpdates } from './sessions/resource-updates.js';
import { createServerAccess, EVERY_SERVER, type ServerScope, visibleOnly } from './access/server-access.js';
import { forwardServerLog } from './sessions/server-logs.js';
import { createSessionOpener } from './sessions/session-opener.js';
import { createToolPins, type ToolPins } from './catalogue/tool-pins.js';
import { createToolReview } from './catalogue/tool-review.js';
import { createManagedSource, type BuiltinServer } from './sessions/upstream-sources.js';

export interface GatewayConfig {
  /** Between server and tool in aggregated names (default `__`). */
  separator: string;
  /** HTTP and SSE sessions idle this long are closed. */
  sessionIdleMs: number;
  /** Open sessions at most; a new one beyond is refused (503). */
  maxSessions: number;
  /** Per-session upstreams (session mode per_session) open at most per server (default 32). */
  sessionPool?: number;
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
  const managed = createManagedSource(supervisor, { poolLimit: config.sessionPool ?? 32 });
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
  const opener = createSessionOpener({ supervisor, managed, builtins, policies, sessions, metrics, recorder: deps.recorder, routerDeps, log, maxSessions: config.maxSessions });
  const changes = createListChanges({ supervisor, sessions: () => sessions.all() });
  const tools = createToolReview({ managed, builtins, pins, access, separator: config.separator, log, changed: changes.changed });
  const stopReaper = startIdleReaper({ idleMs: config.sessionIdleMs, sessions: () => sessions.all(), log });

  return {
    ...opener,
    ...tools,

    /** Called when a server's lists change (stateless clients listen through the HTTP handler). */
    onListChange: (listener: (server: string, kind: ChangeKind) => void): (() => void) => changes.listen(listener),

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
}

export type GatewayService = ReturnType<typeof createGatewayService>;
