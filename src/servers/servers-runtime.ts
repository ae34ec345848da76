import path from 'node:path';
import type { JSONRPCNotification } from '@modelcontextprotocol/client';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import type { OutboundGuard } from '../lib/outbound-guard.js';
import type { AuditLog } from '../logs/audit-log.js';
import type { LiveEvents } from '../lib/live-events.js';
import type { SecretEvents } from '../secrets/secret-events.js';
import { callContextOf } from '../protocol-log/call-context.js';
import { createProtocolLog } from '../protocol-log/protocol-log.js';
import type { RetentionPolicy } from '../protocol-log/protocol-log-retention.js';
import type { TrafficRecorder, TrafficRecorderOptions } from '../protocol-log/protocol-recorder.js';
import { reapOrphans } from './process/pid-files.js';
import { createSecretValues, type SecretValues } from './secret-values.js';
import { createServerMetrics, type ServerMetrics } from './supervision/server-metrics.js';
import { createServersRepository } from './servers.repository.js';
import { createServersService, type McpDefaults, type ResolveSecrets, type ServersService, type ServersServiceDeps } from './servers.service.js';
import { createSupervisor, type Supervisor, type SupervisorDeps } from './supervision/supervisor.js';

export interface ServersRuntimeDeps {
  db: Kysely<Database>;
  log: Logger;
  audit?: AuditLog;
  config: { dataDir: string };
  /** Retries and timeout of a server created without them; read at each create (runtime settings). */
  mcpDefaults: () => McpDefaults;
  /** The secrets service's resolver and change events, when it is there. */
  resolveSecrets?: ResolveSecrets;
  secretEvents?: Pick<SecretEvents, 'on'>;
  /** Protocol log settings (defaults: 16 KiB payloads, 10,000 buffered, 500-row batches every second). */
  recorder?: Partial<Omit<TrafficRecorderOptions, 'insert' | 'redact'>>;
  /** Protocol log retention, applied hourly (default: 30 days, 1,000,000 rows); a function is read at each run. */
  retention?: RetentionPolicy | (() => RetentionPolicy);
  /** Metrics sampling (default every 5 s, kept 1 h). */
  metrics?: { sampleIntervalMs?: number; windowMs?: number };
  /** The server's publication (src/pipe/), shown in its status. */
  publicationOf?: ServersServiceDeps['publicationOf'];
  /** Sees every notification a managed server sends (e.g. the gateway forwards logging messages). Must not block. */
  onServerNotification?: (server: string, notification: JSONRPCNotification) => void;
  /** Announces stderr lines (secret values redacted) and protocol-log writes to live streams. */
  live?: Pick<LiveEvents, 'stderrLine' | 'logsWritten'>;
  /** The platform's SSRF guard: remote servers' requests go through its fetch; their URLs are checked when saved. */
  guard?: Pick<OutboundGuard, 'fetch' | 'check' | 'assertUrl' | 'lookup'>;
  /** Several instances: where each server runs (src/cluster/). */
  placement?: ServersServiceDeps['placement'];
  /** Test seams for the supervisor (timings, health checks). */
  supervisor?: Partial<SupervisorDeps>;
}

export interface ServersRuntime {
  servers: ServersService;
  supervisor: Supervisor;
  recorder: TrafficRecorder;
  metrics: ServerMetrics;
  /** Secret values to keep out of the protocol log (servers' resolved env, values revealed to MCP clients). */
  secretValues: SecretValues;
  /** Where pid files of running children go: DATA_DIR/pids. */
  pidDir: string;
  /**
   * Platform start: kills what a crashed previous run left (reapOrphans), registers every stored
   * server with the supervisor, then starts auto_start servers in the background. Call once, before serving requests.
   */
  boot(): Promise<void>;
  /** Stops every child (stepwise, whole process groups), then writes the rest of the protocol log. */
  close(): Promise<void>;
}

/** Wires the servers domain: supervisor -> the protocol log (src/protocol-log/), and the service over them. */
export function createServersRuntime(deps: ServersRuntimeDeps): ServersRuntime {
  const { log } = deps;
  const pidDir = path.join(deps.config.dataDir, 'pids');
  const secretValues = createSecretValues();
  // The supervisor is created below; metrics read it only when sampling.
  const metrics = createServerMetrics({ supervisor: { list: () => supervisor.list() }, ...deps.metrics });
  const protocolLog = createProtocolLog({
    db: deps.db,
    log,
    recorder: { ...deps.recorder, onResponse: metrics.onResponse, redact: secretValues.redact },
    retention: deps.retention,
    onWritten: () => deps.live?.logsWritten('mcp'),
  });
  const { recorder } = protocolLog;
  const supervisor = createSupervisor({
    pidDir,
    log,
    ...(deps.guard ? { fetch: deps.guard.fetch, websocket: websocketGuard(deps.guard) } : {}),
    ...deps.supervisor,
    onStderrLine: (server, line, seq) => deps.live?.stderrLine({ server, seq, line: secretValues.redact(line) }),
    onMessage: (server, direction, message) => {
      recorder.record(server, direction, message, callContextOf(message));
      if (direction === 'in' && 'method' in message && !('id' in message)) deps.onServerNotification?.(server, message);
    },
  });
  const servers = createServersService({
    metrics,
    repo: createServersRepository(deps.db),
    supervisor,
    log,
    audit: deps.audit,
    defaults: deps.mcpDefaults,
    resolveSecrets: deps.resolveSecrets,
    secretValues,
    publicationOf: deps.publicationOf,
    placement: deps.placement,
    guard: deps.guard,
  });
  const unsubscribe = ['secret.rotated', 'secret.updated'].map((event) =>
    deps.secretEvents?.on(event as 'secret.rotated', (e) => servers.restartUsersOf(e.name).then(() => undefined)),
  );

  let closing: Promise<void> | null = null;
  let booted: Promise<void> | null = null;
  return {
    servers,
    supervisor,
    recorder,
    metrics,
    secretValues,
    pidDir,
    /** Once per process: a second call would reap this run's own children as orphans. */
    boot() {
      booted ??= (async () => {
        const reaped = await reapOrphans(pidDir);
        if (reaped.length > 0) log.warn({ lifecycle: true, reaped }, 'stopped MCP server processes left by a previous run');
        // Every stored server has an entry from the start: the gateway answers alike for all of them.
        await servers.registerAll();
        metrics.start();
        void servers.autoStart().catch((err: unknown) => log.error({ err }, 'auto-start failed'));
      })();
      return booted;
    },
    close() {
      closing ??= (async () => {
        metrics.stop();
        for (const off of unsubscribe) off?.();
        await supervisor.stopAll();
        await protocolLog.close();
      })();
      return closing;
    },
  };
}

/** The guard's checks for WebSocket servers: ws:/wss: URLs judged like HTTP ones, names resolved by its pinned lookup. */
function websocketGuard(guard: Pick<OutboundGuard, 'assertUrl' | 'lookup'>) {
  return { assertUrl: (url: URL) => void guard.assertUrl(url, ['ws:', 'wss:']), lookup: guard.lookup };
}
