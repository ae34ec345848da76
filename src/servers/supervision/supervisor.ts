import type { EventEmitter } from 'node:events';
import type { FetchLike, Implementation, JSONRPCMessage } from '@modelcontextprotocol/client';
import { getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import { VERSION } from '../../version.js';
import { createFailureWindow, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { DEFAULT_STOP_TIMEOUTS, spawnChild, type SpawnChild, type StopTimeouts } from '../process/child-process.js';
import { DEFAULT_HEALTH_CHECK, type HealthCheckOptions } from './health-check.js';
import type { ClientFeatures, McpConnection } from '../connection/mcp-connection.js';
import type { MessageDirection } from '../connection/message-tap.js';
import type { ServerConfig } from '../server-config.js';
import type { ServerStatus } from './server-status.js';
import { ServerError } from '../server-errors.js';
import { openInstance, type InstanceDeps, type ServerInstance } from './server-instance.js';
import { createStderrBuffer } from '../process/stderr-buffer.js';
import { createSupervisorContext, type SupervisorEvents, type SupervisorLog } from './supervisor-context.js';
import { createEntryControl } from './supervisor-control.js';
import { newEntry, type SupervisorEntry } from './supervisor-entry.js';
import { createFailureHandler } from './supervisor-failure.js';
import { createLauncher } from './supervisor-launch.js';
import { notRunningError, statusOf } from './supervisor-status.js';
import { realTimers } from './timers.js';

export interface SupervisorDeps {
  /** Process seam (default: real detached spawn). */
  spawn?: SpawnChild;
  /** Directory for pid files (crash recovery); null or absent keeps none. See reapOrphans(). */
  pidDir?: string | null;
  backoff?: Partial<BackoffOptions>;
  /** Failures older than this do not count against max_retries (default 10 min). */
  failureWindowMs?: number;
  /** Running this long clears the failure record (default 60 s). */
  stableMs?: number;
  /** Sees every stderr line of every stdio server with its number (live streams). Must not block. */
  onStderrLine?: (server: string, line: string, seq: number) => void;
  /** Periodic MCP ping; null disables it. */
  health?: Partial<HealthCheckOptions> | null;
  stopTimeouts?: Partial<StopTimeouts>;
  /** Stderr lines kept per server (default 200), each at most `stderrLineBytes` (default 4 KiB). */
  stderrLines?: number;
  stderrLineBytes?: number;
  /** Longest stdout line accepted from a stdio server (default 16 MiB). */
  maxLineBytes?: number;
  clientInfo?: Implementation;
  /** Environment every stdio child starts from (default: the SDK's minimal safe set: HOME, PATH, ...). */
  baseEnv?: Readonly<Record<string, string>>;
  /** Protocol negotiation per server (default: `legacy` for stdio, `auto` for remote). */
  versionNegotiation?: (config: ServerConfig) => 'auto' | 'legacy';
  /** Outbound fetch for remote servers (e.g. the SSRF-guarded one). */
  fetch?: FetchLike;
  /** WebSocket servers: the outbound guard's URL check and pinned lookup (e.g. `{ assertUrl, lookup }` of the SSRF guard). */
  websocket?: InstanceDeps['websocket'];
  /** Sees every JSON-RPC message of every server (the protocol recorder). Must not block. */
  onMessage?: (server: string, direction: MessageDirection, message: JSONRPCMessage) => void;
  log?: SupervisorLog;
  /** Transitions kept per server in status (default 20). */
  historySize?: number;
}

export interface Supervisor {
  readonly events: EventEmitter<SupervisorEvents>;
  /** Adds a server, or replaces its config (a running server keeps the old one until restarted). */
  register(config: ServerConfig): void;
  /** Stops the server and forgets it. */
  unregister(name: string): Promise<void>;
  has(name: string): boolean;
  /**
   * Starts the server unless it runs; resolves when this attempt has settled: running, backoff or
   * fatal (stopped when a stop cancelled it); read `state` and `lastError`. A failed start is a
   * resolved status, never a rejection: a caller that must fail decides from the status (the REST
   * start answers 502, server-lifecycle.ts). A person's start clears the failure record. Rejects
   * only with SERVER_NOT_FOUND, for a name never registered.
   */
  start(name: string): Promise<ServerStatus>;
  /** Stops the server (process group in steps); cancels a pending restart. Resolves when stopped. */
  stop(name: string): Promise<ServerStatus>;
  restart(name: string): Promise<ServerStatus>;
  status(name: string): ServerStatus;
  list(): ServerStatus[];
  /** Recent stderr lines of a stdio server, oldest first (kept across restarts). */
  stderr(name: string, tail?: number): string[];
  /** Kept stderr lines numbered after `seq`, with their numbers (a resumed live stream). */
  stderrSince(name: string, seq: number): { seq: number; line: string }[];
  /**
   * The live connection, shared by every caller. Waits for a start in progress; throws
   * SERVER_NOT_RUNNING (with `details.state`) otherwise.
   */
  connection(name: string): Promise<McpConnection>;
  /**
   * Opens an instance of a running server for one gateway session (session mode `per_session`): a
   * child process of its own for stdio, an MCP session of its own for remote servers, offering the
   * server `session.clientFeatures`. Not supervised (no restart, no health loop): the caller closes
   * it with `teardown()`, and stopping the server tears every one down. Throws SERVER_NOT_RUNNING
   * unless the server runs, and what a start throws (SERVER_START_FAILED, SERVER_TIMEOUT).
   */
  openSession(name: string, session: { clientFeatures: ClientFeatures; onLost: () => void }): Promise<ServerInstance>;
  /** Per-session instances open now, by server. */
  sessionCount(name: string): number;
  /** The server's session mode as registered ('shared' when not set). */
  sessionMode(name: string): 'shared' | 'per_session';
  /** The server's per-request timeout as registered (`timeout_ms`); undefined for an unknown name. */
  timeoutMs(name: string): number | undefined;
  /** Changes a registered server's session mode for gateway sessions opened from now on (no restart). */
  setSessionMode(name: string, mode: 'shared' | 'per_session'): void;
  /** Stops every server in parallel (platform shutdown). */
  stopAll(): Promise<void>;
}

/**
 * Supervises many MCP servers by name: one instance (one child process for stdio) per server,
 * shared by every caller; restarts per policy with backoff; `fatal` after the retry budget; health
 * pings; stepwise stop of the whole process group.
 */
export function createSupervisor(deps: SupervisorDeps = {}): Supervisor {
  const log = deps.log;
  const ctx = createSupervisorContext(realTimers, log, deps.historySize ?? 20);
  const failureWindowMs = deps.failureWindowMs ?? 10 * 60_000;
  const entries = new Map<string, SupervisorEntry>();
  const fail = createFailureHandler(ctx, { backoff: { ...DEFAULT_BACKOFF, ...deps.backoff }, failureWindowMs }, (entry) => void launch(entry));
  const launch = createLauncher(
    ctx,
    {
      instanceDeps: instanceDepsOf(deps),
      health: deps.health === null ? null : { ...DEFAULT_HEALTH_CHECK, ...deps.health },
      onMessage: deps.onMessage,
    },
    fail,
  );
  const control = createEntryControl(ctx, launch);
  const instanceDeps = instanceDepsOf(deps);
  /** Per-session instances by server name; torn down when their server stops. */
  const sessions = new Map<string, Set<ServerInstance>>();
  const dropSessions = async (name: string) => {
    const open = sessions.get(name);
    if (!open) return;
    sessions.delete(name);
    await Promise.all([...open].map((i) => i.teardown().catch(() => {})));
  };

  const get = (name: string): SupervisorEntry => {
    const entry = entries.get(name);
    if (!entry) throw new ServerError('SERVER_NOT_FOUND', name, `no MCP server named "${name}"`);
    return entry;
  };
  const status = (entry: SupervisorEntry) => statusOf(entry, ctx.timers.now());
  const newFailureWindow = (config: ServerConfig) =>
    createFailureWindow({ maxRetries: config.max_retries, windowMs: failureWindowMs, stableMs: deps.stableMs ?? 60_000 });

  return {
    events: ctx.events,
    register(config) {
      const entry = entries.get(config.name);
      if (entry) {
        entry.config = config;
        entry.failures = newFailureWindow(config);
        return;
      }
      const stderr = createStderrBuffer({
        lines: deps.stderrLines ?? 200,
        maxLineBytes: deps.stderrLineBytes ?? 4096,
        onLine: (line, seq) => {
          log?.debug({ server: config.name, line }, 'mcp server stderr');
          deps.onStderrLine?.(config.name, line, seq);
        },
      });
      entries.set(config.name, newEntry(config, newFailureWindow(config), stderr));
    },
    async unregister(name) {
      const entry = entries.get(name);
      if (!entry) return;
      await control.stop(entry, 'unregistered');
      await dropSessions(name);
      entries.delete(name);
    },
    has: (name) => entries.has(name),
    start: async (name) => control.start(get(name), 'start requested'),
    async stop(name) {
      const status = await control.stop(get(name), 'stop requested');
      await dropSessions(name);
      return status;
    },
    async restart(name) {
      const entry = get(name);
      await control.stop(entry, 'restart requested');
      await dropSessions(name);
      return control.start(entry, 'restart requested');
    },
    status: (name) => status(get(name)),
    list: () => [...entries.values()].map(status),
    stderr: (name, tail) => get(name).stderr.tail(tail),
    stderrSince: (name, seq) => get(name).stderr.since(seq),
    async connection(name) {
      const entry = get(name);
      if (entry.state === 'starting') await entry.launching?.promise;
      const conn = entry.instance?.connection;
      if (entry.state === 'running' && conn?.isOpen) return conn;
      throw notRunningError(entry);
    },
    async openSession(name, session) {
      const entry = get(name);
      if (entry.state === 'starting') await entry.launching?.promise;
      if (entry.state !== 'running') throw notRunningError(entry);
      const onMessage = deps.onMessage;
      const instance = await openInstance(
        entry.config,
        instanceDeps,
        {
          stderr: entry.stderr,
          tap: onMessage ? (direction, message) => onMessage(name, direction, message) : undefined,
          onNoise: (text, bytes) => log?.warn({ server: name, bytes, text }, 'mcp server wrote a non-JSON-RPC line to stdout (skipped)'),
          onLost: session.onLost,
          onListChanged: (kind) => ctx.emit('list_changed', { server: name, kind }),
          onError: (err) => log?.debug({ server: name, err }, 'mcp client error (session instance)'),
          clientFeatures: session.clientFeatures,
        },
        new AbortController().signal,
      );
      let open = sessions.get(name);
      if (!open) sessions.set(name, (open = new Set()));
      open.add(instance);
      const teardown = instance.teardown;
      return {
        ...instance,
        connection: instance.connection,
        teardown: () => {
          sessions.get(name)?.delete(instance);
          return teardown();
        },
      };
    },
    sessionCount: (name) => sessions.get(name)?.size ?? 0,
    sessionMode: (name) => entries.get(name)?.config.session_mode ?? 'shared',
    timeoutMs: (name) => entries.get(name)?.config.timeout_ms,
    setSessionMode(name, mode) {
      const entry = entries.get(name);
      if (entry) entry.config = { ...entry.config, session_mode: mode };
    },
    async stopAll() {
      await Promise.all([...entries.values()].map((e) => control.stop(e, 'platform shutdown')));
      await Promise.all([...sessions.keys()].map(dropSessions));
    },
  };
}

function instanceDepsOf(deps: SupervisorDeps): InstanceDeps {
  return {
    spawn: deps.spawn ?? spawnChild,
    clientInfo: deps.clientInfo ?? { name: 'mcps-one', version: VERSION },
    baseEnv: deps.baseEnv ?? getDefaultEnvironment(),
    maxLineBytes: deps.maxLineBytes ?? 16 * 1024 * 1024,
    stopTimeouts: { ...DEFAULT_STOP_TIMEOUTS, ...deps.stopTimeouts },
    pidDir: deps.pidDir ?? null,
    versionNegotiation: deps.versionNegotiation ?? ((c) => (c.transport === 'stdio' ? 'legacy' : 'auto')),
    fetch: deps.fetch,
    websocket: deps.websocket,
  };
}
