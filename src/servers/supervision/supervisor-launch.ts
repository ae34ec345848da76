import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { startHealthCheck, type HealthCheckOptions } from './health-check.js';
import type { MessageDirection } from '../connection/message-tap.js';
import { ServerError } from '../server-errors.js';
import { describeExit, openInstance, type InstanceDeps, type InstanceHooks, type ServerInstance } from './server-instance.js';
import type { SupervisorContext } from './supervisor-context.js';
import type { SupervisorEntry } from './supervisor-entry.js';
import type { FailureHandler } from './supervisor-failure.js';

export interface LaunchOptions {
  instanceDeps: InstanceDeps;
  /** Periodic MCP ping; null disables it. */
  health: HealthCheckOptions | null;
  onMessage?: ((server: string, direction: MessageDirection, message: JSONRPCMessage) => void) | undefined;
}

/** Opens one instance of a server (the entry is `starting`); settles once it runs or has failed. */
export type Launch = (entry: SupervisorEntry) => Promise<void>;

/**
 * Spawns (or connects) and runs the handshake; on success the entry is `running` with a health
 * loop, on failure `fail` decides. Work abandoned meanwhile (the epoch moved on) is torn down.
 */
export function createLauncher(ctx: SupervisorContext, opts: LaunchOptions, fail: FailureHandler): Launch {
  const { log, emit } = ctx;

  const onLost = (entry: SupervisorEntry, epoch: number) => {
    if (epoch !== entry.epoch || (entry.state !== 'running' && entry.state !== 'starting')) return;
    const exit = describeExit(entry.instance?.exit() ?? null);
    const why = exit ? `MCP server "${entry.config.name}" went away: ${exit}` : `MCP server "${entry.config.name}" closed the connection`;
    fail(entry, new ServerError('SERVER_CONNECTION_CLOSED', entry.config.name, why), 'connection lost');
  };

  const hooks = (entry: SupervisorEntry, epoch: number): InstanceHooks => {
    const name = entry.config.name;
    const onMessage = opts.onMessage;
    return {
      stderr: entry.stderr,
      tap: onMessage ? (direction, message) => onMessage(name, direction, message) : undefined,
      onNoise: (text, bytes) => {
        log?.warn({ server: name, bytes, text }, 'mcp server wrote a non-JSON-RPC line to stdout (skipped)');
        emit('noise', { server: name, text, bytes });
      },
      onLost: () => onLost(entry, epoch),
      onListChanged: (kind) => emit('list_changed', { server: name, kind }),
      onError: (err) => log?.debug({ server: name, err }, 'mcp client error'),
      refusal: (method) =>
        `MCP server "${name}" runs in shared session mode: one connection serves every client, so its ${method} request cannot be tied to the client that caused it; set the server's session_mode to per_session`,
    };
  };

  const running = (entry: SupervisorEntry, epoch: number, instance: ServerInstance) => {
    entry.launching = null;
    entry.instance = instance;
    entry.runningSince = ctx.timers.now();
    ctx.move(entry, 'running', `MCP handshake done (${instance.connection.protocolVersion() ?? 'unknown protocol'})`);
    const health = opts.health;
    if (!health) return;
    entry.stopHealth = startHealthCheck(
      (timeoutMs) => instance.connection.ping(timeoutMs),
      health,
      (err) => {
        if (epoch === entry.epoch && entry.state === 'running') fail(entry, err, 'health check failed');
      },
      ctx.timers,
    );
  };

  return (entry) => {
    const epoch = ++entry.epoch;
    const abort = new AbortController();
    const promise = (async () => {
      await Promise.all(entry.teardowns);
      let instance: ServerInstance;
      try {
        if (epoch !== entry.epoch) return;
        instance = await openInstance(entry.config, opts.instanceDeps, hooks(entry, epoch), abort.signal);
      } catch (err) {
        if (epoch !== entry.epoch) return;
        entry.launching = null;
        fail(entry, err, 'start failed');
        return;
      }
      if (epoch !== entry.epoch) {
        ctx.trackTeardown(entry, instance);
        return;
      }
      running(entry, epoch, instance);
    })();
    entry.launching = { promise, abort };
    return promise;
  };
}
