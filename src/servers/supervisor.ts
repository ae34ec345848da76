import { EventEmitter } from 'node:events';
import type { FetchLike, Implementation, JSONRPCMessage } from '@modelcontextprotocol/client';
import { getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import type { Logger } from 'pino';
import { VERSION } from '../version.js';
import { backoffDelay, createFailureWindow, DEFAULT_BACKOFF, type BackoffOptions, type FailureWindow } from './backoff.js';
import { DEFAULT_STOP_TIMEOUTS, spawnChild, type ChildExit, type SpawnChild, type StopTimeouts } from './child-process.js';
import { DEFAULT_HEALTH_CHECK, startHealthCheck, type HealthCheckOptions } from './health-check.js';
import type { ListKind, McpConnection } from './mcp-connection.js';
import type { MessageDirection } from './message-tap.js';
import type { ServerConfig } from './server-config.js';
import type { ServerStatus, TransitionEvent, TransitionRecord } from './server-status.js';
import { isServerError, ServerError } from './server-errors.js';
import { describeExit, openInstance, type InstanceDeps, type ServerInstance } from './server-instance.js';
import { transition, type ServerState } from './server-state.js';
import { createStderrBuffer, type StderrBuffer } from './stderr-buffer.js';
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
  /** Sees every JSON-RPC message of every server (the protocol recorder). Must not block. */
  onMessage?: (server: string, direction: MessageDirection, message: JSONRPCMessage) => void;
  log?: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  /** Transitions kept per server in status (default 20). */
  historySize?: number;
}

export interface SupervisorEvents {
  transition: [TransitionEvent];
  list_changed: [{ server: string; kind: ListKind }];
  /** A stdout line that was not JSON-RPC (skipped). */
  noise: [{ server: string; text: string; bytes: number }];
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
  /**
   * The live connection, shared by every caller. Waits for a start in progress; throws
   * SERVER_NOT_RUNNING (with `details.state`) otherwise.
   */
  connection(name: string): Promise<McpConnection>;
  /** Stops every server in parallel (platform shutdown). */
  stopAll(): Promise<void>;
}

interface Entry {
  config: ServerConfig;
  state: ServerState;
  /** Bumped whenever in-flight work (a start, a restart timer, a health loop, a lost-connection
   * callback) must be abandoned; each of those compares the epoch it was started under. */
  epoch: number;
  instance: ServerInstance | null;
  launching: { promise: Promise<void>; abort: AbortController } | null;
  stopping: Promise<void> | null;
  cancelRestart: (() => void) | null;
  nextRestartAt: number | null;
  stopHealth: (() => void) | null;
  /** Instances being torn down; a new spawn waits for them. */
  teardowns: Set<Promise<void>>;
  failures: FailureWindow;
  failuresTotal: number;
  restarts: number;
  runningSince: number | null;
  lastError: string | null;
  lastExit: ChildExit | null;
  history: TransitionRecord[];
  stderr: StderrBuffer;
}

/**
 * Supervises many MCP servers by name: one instance (one child process for stdio) per server,
 * shared by every caller; restarts per policy with backoff; `fatal` after the retry budget; health
 * pings; stepwise stop of the whole process group.
 */
export function createSupervisor(deps: SupervisorDeps = {}): Supervisor {
  const timers = realTimers;
  const backoff: BackoffOptions = { ...DEFAULT_BACKOFF, ...deps.backoff };
  const health: HealthCheckOptions | null = deps.health === null ? null : { ...DEFAULT_HEALTH_CHECK, ...deps.health };
  const historySize = deps.historySize ?? 20;
  const failureWindowMs = deps.failureWindowMs ?? 10 * 60_000;
  const log = deps.log;
  const events = new EventEmitter<SupervisorEvents>();
  const entries = new Map<string, Entry>();
  const instanceDeps: InstanceDeps = {
    spawn: deps.spawn ?? spawnChild,
    clientInfo: deps.clientInfo ?? { name: 'mcps-one', version: VERSION },
    baseEnv: deps.baseEnv ?? getDefaultEnvironment(),
    maxLineBytes: deps.maxLineBytes ?? 16 * 1024 * 1024,
    stopTimeouts: { ...DEFAULT_STOP_TIMEOUTS, ...deps.stopTimeouts },
    pidDir: deps.pidDir ?? null,
    versionNegotiation: deps.versionNegotiation ?? ((c) => (c.transport === 'stdio' ? 'legacy' : 'auto')),
    fetch: deps.fetch,
  };

  /** A throwing listener must not break a state change half-way. */
  const emit = <K extends keyof SupervisorEvents>(event: K, ...args: SupervisorEvents[K]) => {
    try {
      // Untyped on purpose: the generic spread is beyond TypeScript; `emit`'s signature types callers.
      (events as unknown as EventEmitter).emit(event, ...args);
    } catch (err) {
      log?.error({ err, event }, 'supervisor event listener threw');
    }
  };

  const get = (name: string): Entry => {
    const entry = entries.get(name);
    if (!entry) throw new ServerError('SERVER_NOT_FOUND', name, `no MCP server named "${name}"`);
    return entry;
  };

  const move = (entry: Entry, to: ServerState, reason: string, error: string | null = null) => {
    const from = entry.state;
    entry.state = transition(from, to);
    const record: TransitionRecord = { from, to, at: new Date(timers.now()).toISOString(), reason };
    entry.history.push(record);
    if (entry.history.length > historySize) entry.history.shift();
    const event: TransitionEvent = {
      ...record,
      server: entry.config.name,
      pid: entry.instance?.pid ?? null,
      error,
    };
    log?.info({ server: event.server, from, to, reason, pid: event.pid, error }, 'mcp server state');
    emit('transition', event);
  };

  const trackTeardown = (entry: Entry, instance: ServerInstance) => {
    const p = instance.teardown().catch((err: unknown) => {
      log?.error({ err, server: entry.config.name }, 'mcp server teardown failed');
    });
    entry.teardowns.add(p);
    void p.finally(() => entry.teardowns.delete(p));
  };

  const launch = (entry: Entry): Promise<void> => {
    const epoch = ++entry.epoch;
    const abort = new AbortController();
    const name = entry.config.name;
    const promise = (async () => {
      await Promise.all(entry.teardowns);
      let instance: ServerInstance;
      try {
        if (epoch !== entry.epoch) return;
        instance = await openInstance(
          entry.config,
          instanceDeps,
          {
            stderr: entry.stderr,
            tap: deps.onMessage ? (direction, message) => deps.onMessage?.(name, direction, message) : undefined,
            onNoise: (text, bytes) => {
              log?.warn({ server: name, bytes, text }, 'mcp server wrote a non-JSON-RPC line to stdout (skipped)');
              emit('noise', { server: name, text, bytes });
            },
            onLost: () => onLost(entry, epoch),
            onListChanged: (kind) => emit('list_changed', { server: name, kind }),
            onError: (err) => log?.debug({ server: name, err }, 'mcp client error'),
          },
          abort.signal,
        );
      } catch (err) {
        if (epoch !== entry.epoch) return;
        entry.launching = null;
        fail(entry, err, 'start failed');
        return;
      }
      if (epoch !== entry.epoch) {
        trackTeardown(entry, instance);
        return;
      }
      entry.launching = null;
      entry.instance = instance;
      entry.runningSince = timers.now();
      move(entry, 'running', `MCP handshake done (${instance.connection.protocolVersion() ?? 'unknown protocol'})`);
      if (health) {
        entry.stopHealth = startHealthCheck(
          (timeoutMs) => instance.connection.ping(timeoutMs),
          health,
          (err) => {
            if (epoch === entry.epoch && entry.state === 'running') fail(entry, err, 'health check failed');
          },
          timers,
        );
      }
    })();
    entry.launching = { promise, abort };
    return promise;
  };

  const onLost = (entry: Entry, epoch: number) => {
    if (epoch !== entry.epoch || (entry.state !== 'running' && entry.state !== 'starting')) return;
    const exit = describeExit(entry.instance?.exit() ?? null);
    const why = exit ? `MCP server "${entry.config.name}" went away: ${exit}` : `MCP server "${entry.config.name}" closed the connection`;
    fail(entry, new ServerError('SERVER_CONNECTION_CLOSED', entry.config.name, why), 'connection lost');
  };

  /** The one place that decides what a failure leads to: stopped, backoff (restart) or fatal. */
  const fail = (entry: Entry, err: unknown, reason: string) => {
    const wasStarting = entry.state === 'starting';
    entry.failuresTotal++;
    entry.epoch++;
    entry.stopHealth?.();
    entry.stopHealth = null;
    const instance = entry.instance;
    entry.instance = null;
    if (instance) {
      entry.lastExit = instance.exit();
      trackTeardown(entry, instance);
    } else {
      entry.lastExit = (isServerError(err) ? (err.details?.exit as ChildExit | undefined) : undefined) ?? null;
    }
    const error = err instanceof Error ? err.message : String(err);
    entry.lastError = error;
    const runningSince = entry.runningSince;
    entry.runningSince = null;
    const now = timers.now();

    const cleanExit = !wasStarting && entry.lastExit?.code === 0 && entry.lastExit.signal === null;
    const policy = entry.config.restart_policy;
    if (isServerError(err, 'SERVER_CONFIG_INVALID')) return move(entry, 'fatal', `${reason}: cannot work as configured`, error);
    if (policy === 'never' || (policy === 'on-failure' && cleanExit)) {
      return move(entry, wasStarting ? 'fatal' : 'stopped', `${reason}; restart policy ${policy}`, error);
    }
    const verdict = entry.failures.record(now, runningSince);
    if (verdict.exhausted) {
      const window = Math.round(failureWindowMs / 1000);
      return move(entry, 'fatal', `${reason}; ${verdict.failures} failures within ${window} s (max_retries ${entry.config.max_retries})`, error);
    }
    const delay = backoffDelay(verdict.attempt, backoff);
    entry.nextRestartAt = now + delay;
    move(entry, 'backoff', `${reason}; retry ${verdict.failures} of ${entry.config.max_retries} in ${delay} ms`, error);
    const epoch = entry.epoch;
    entry.cancelRestart = timers.after(delay, () => {
      if (epoch !== entry.epoch || entry.state !== 'backoff') return;
      entry.cancelRestart = null;
      entry.nextRestartAt = null;
      entry.restarts++;
      move(entry, 'starting', 'restart after backoff');
      void launch(entry);
    });
  };

  const newFailureWindow = (config: ServerConfig) =>
    createFailureWindow({ maxRetries: config.max_retries, windowMs: failureWindowMs, stableMs: deps.stableMs ?? 60_000 });

  const statusOf = (entry: Entry): ServerStatus => {
    const now = timers.now();
    const conn = entry.instance?.connection;
    return {
      name: entry.config.name,
      transport: entry.config.transport,
      state: entry.state,
      pid: entry.instance?.pid ?? null,
      restarts: entry.restarts,
      failures: entry.failures.count(now),
      failuresTotal: entry.failuresTotal,
      lastError: entry.lastError,
      lastExit: entry.lastExit,
      startedAt: entry.runningSince === null ? null : new Date(entry.runningSince).toISOString(),
      uptimeMs: entry.runningSince === null ? null : now - entry.runningSince,
      nextRestartAt: entry.nextRestartAt === null ? null : new Date(entry.nextRestartAt).toISOString(),
      serverInfo: conn?.serverInfo() ?? null,
      protocolVersion: conn?.protocolVersion() ?? null,
      transitions: [...entry.history],
    };
  };

  const startEntry = async (entry: Entry, reason: string): Promise<ServerStatus> => {
    while (entry.state === 'stopping' && entry.stopping) await entry.stopping;
    switch (entry.state) {
      case 'running':
        return statusOf(entry);
      case 'starting':
        await entry.launching?.promise;
        return statusOf(entry);
      case 'backoff':
        entry.cancelRestart?.();
        entry.cancelRestart = null;
        entry.nextRestartAt = null;
        break;
      case 'stopped':
      case 'fatal':
      case 'stopping':
        break;
    }
    entry.failures.reset();
    move(entry, 'starting', reason);
    await launch(entry);
    // A stop that cancelled this start settles the attempt too.
    if (entry.state === 'stopping') await entry.stopping;
    return statusOf(entry);
  };

  const stopEntry = async (entry: Entry, reason: string): Promise<ServerStatus> => {
    switch (entry.state) {
      case 'stopped':
        break;
      case 'stopping':
        await entry.stopping;
        break;
      case 'fatal':
        entry.epoch++;
        move(entry, 'stopped', reason);
        await Promise.all(entry.teardowns);
        break;
      case 'starting':
      case 'running':
      case 'backoff': {
        entry.epoch++;
        entry.cancelRestart?.();
        entry.cancelRestart = null;
        entry.nextRestartAt = null;
        entry.stopHealth?.();
        entry.stopHealth = null;
        const launching = entry.launching;
        entry.launching = null;
        launching?.abort.abort();
        const instance = entry.instance;
        move(entry, 'stopping', reason);
        entry.instance = null;
        entry.runningSince = null;
        if (instance) trackTeardown(entry, instance);
        entry.stopping = (async () => {
          await launching?.promise;
          while (entry.teardowns.size > 0) await Promise.all(entry.teardowns);
          if (instance) entry.lastExit = instance.exit();
          entry.stopping = null;
          move(entry, 'stopped', 'stopped');
        })();
        await entry.stopping;
        break;
      }
    }
    return statusOf(entry);
  };

  return {
    events,
    register(config) {
      const entry = entries.get(config.name);
      if (entry) {
        entry.config = config;
        entry.failures = newFailureWindow(config);
        return;
      }
      entries.set(config.name, {
        config,
        state: 'stopped',
        epoch: 0,
        instance: null,
        launching: null,
        stopping: null,
        cancelRestart: null,
        nextRestartAt: null,
        stopHealth: null,
        teardowns: new Set(),
        failures: newFailureWindow(config),
        failuresTotal: 0,
        restarts: 0,
        runningSince: null,
        lastError: null,
        lastExit: null,
        history: [],
        stderr: createStderrBuffer({
          lines: deps.stderrLines ?? 200,
          maxLineBytes: deps.stderrLineBytes ?? 4096,
          onLine: (line) => log?.debug({ server: config.name, line }, 'mcp server stderr'),
        }),
      });
    },
    async unregister(name) {
      const entry = entries.get(name);
      if (!entry) return;
      await stopEntry(entry, 'unregistered');
      entries.delete(name);
    },
    has: (name) => entries.has(name),
    start: async (name) => startEntry(get(name), 'start requested'),
    stop: async (name) => stopEntry(get(name), 'stop requested'),
    async restart(name) {
      const entry = get(name);
      await stopEntry(entry, 'restart requested');
      return startEntry(entry, 'restart requested');
    },
    status: (name) => statusOf(get(name)),
    list: () => [...entries.values()].map(statusOf),
    stderr: (name, tail) => get(name).stderr.tail(tail),
    async connection(name) {
      const entry = get(name);
      if (entry.state === 'starting') await entry.launching?.promise;
      const conn = entry.instance?.connection;
      if (entry.state === 'running' && conn?.isOpen) return conn;
      throw new ServerError(
        'SERVER_NOT_RUNNING',
        name,
        `MCP server "${name}" is ${entry.state}${entry.lastError ? ` (last error: ${entry.lastError})` : ''}`,
        { details: { state: entry.state } },
      );
    },
    async stopAll() {
      await Promise.all([...entries.values()].map((e) => stopEntry(e, 'platform shutdown')));
    },
  };
}
