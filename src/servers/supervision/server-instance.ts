import { randomUUID } from 'node:crypto';
import { StreamableHTTPClientTransport, type FetchLike, type Implementation } from '@modelcontextprotocol/client';
import type { ChildExit, ChildHandle, SpawnChild, StopTimeouts } from '../process/child-process.js';
import { createMcpConnection, type ClientFeatures, type ListKind, type McpConnection, type McpConnectionOptions } from '../connection/mcp-connection.js';
import { TappedTransport, type MessageTap } from '../connection/message-tap.js';
import { forgetPid, recordPid, SUPERVISOR_TAG_ENV } from '../process/pid-files.js';
import { createRemoteTransport, type RemoteOutbound } from '../connection/remote-transport.js';
import { RelatedRequests } from '../connection/related-requests.js';
import { WebSocketClientTransport } from '../connection/websocket-client-transport.js';
import type { ServerConfig } from '../server-config.js';
import { isServerError, ServerError } from '../server-errors.js';
import type { StderrBuffer } from '../process/stderr-buffer.js';
import { StdioChildTransport } from '../connection/stdio-child-transport.js';

/** One live incarnation of a server: its process (stdio) and its MCP connection. */
export interface ServerInstance {
  readonly connection: McpConnection;
  /** The child's pid (stdio), or null for remote servers. */
  readonly pid: number | null;
  /** The child's exit once it has exited, else null (always null for remote servers). */
  exit(): ChildExit | null;
  /**
   * Closes the connection and stops the whole process group in steps, then forgets the pid file.
   * Idempotent; safe after the process died on its own (leftover grandchildren are killed).
   */
  teardown(): Promise<void>;
}

export interface InstanceDeps {
  spawn: SpawnChild;
  clientInfo: Implementation;
  /** The environment every stdio child starts from (config.env is added on top). */
  baseEnv: Readonly<Record<string, string>>;
  maxLineBytes: number;
  stopTimeouts: StopTimeouts;
  /** Where pid files go; null to keep none. */
  pidDir: string | null;
  versionNegotiation: (config: ServerConfig) => 'auto' | 'legacy';
  fetch?: FetchLike | undefined;
  /** WebSocket servers: the outbound guard's URL check and pinned lookup. */
  websocket?: Pick<RemoteOutbound, 'assertUrl' | 'lookup'> | undefined;
}

export interface InstanceHooks {
  stderr: StderrBuffer;
  tap?: MessageTap | undefined;
  onNoise: (text: string, bytes: number) => void;
  onLost: () => void;
  onListChanged: (kind: ListKind) => void;
  /** Out-of-band protocol or transport errors (informational). */
  onError?: (err: Error) => void;
  /** A per-session instance: the client whose sampling, elicitation and roots it offers the server. */
  clientFeatures?: ClientFeatures | undefined;
  /** Why this instance cannot answer the server's sampling/elicitation/roots requests. */
  refusal?: ((method: string) => string) | undefined;
}

const STDERR_IN_ERROR_LINES = 5;

/**
 * Starts one instance: spawn (stdio) or build the remote transport, then the MCP handshake within
 * `config.timeout_ms`. On any failure nothing is left running and a ServerError is thrown.
 */
export async function openInstance(
  config: ServerConfig,
  deps: InstanceDeps,
  hooks: InstanceHooks,
  signal: AbortSignal,
): Promise<ServerInstance> {
  return config.transport === 'stdio' ? openStdio(config, deps, hooks, signal) : openRemote(config, deps, hooks, signal);
}

async function openStdio(config: ServerConfig, deps: InstanceDeps, hooks: InstanceHooks, signal: AbortSignal): Promise<ServerInstance> {
  if (!config.command) throw new ServerError('SERVER_CONFIG_INVALID', config.name, 'a stdio server needs a command');
  const tag = randomUUID();
  let child: ChildHandle;
  try {
    child = await deps.spawn({
      command: config.command,
      args: config.args ?? [],
      env: { ...deps.baseEnv, ...(config.env ?? {}), [SUPERVISOR_TAG_ENV]: tag },
      cwd: config.cwd ?? undefined,
    });
  } catch (err) {
    throw new ServerError('SERVER_START_FAILED', config.name, `MCP server "${config.name}": ${(err as Error).message}`, { cause: err });
  }
  const transport = new StdioChildTransport({
    child,
    maxLineBytes: deps.maxLineBytes,
    onNoise: hooks.onNoise,
    onTap: hooks.tap,
    stopTimeouts: deps.stopTimeouts,
  });
  const connection = connectionOf(config, deps, hooks, transport, () => describeExit(child.exit()));
  let torn: Promise<void> | null = null;
  const instance: ServerInstance = {
    connection,
    pid: child.pid,
    exit: () => child.exit(),
    teardown: () =>
      (torn ??= (async () => {
        await connection.close();
        await child.stop(deps.stopTimeouts);
        if (deps.pidDir) forgetPid(deps.pidDir, child.pid);
      })()),
  };
  const stderrSeenBefore = hooks.stderr.total;
  try {
    hooks.stderr.attach(child.stderr);
    if (deps.pidDir) recordPid(deps.pidDir, { server: config.name, pid: child.pid, pgid: child.pgid, tag, command: config.command });
    if (signal.aborted) throw new ServerError('SERVER_STOPPED', config.name, `start of "${config.name}" was cancelled`);
    await connection.connect(signal);
    return instance;
  } catch (err) {
    await instance.teardown();
    throw withStartContext(err, hooks.stderr.tail(Math.min(STDERR_IN_ERROR_LINES, hooks.stderr.total - stderrSeenBefore)), child.exit());
  }
}

/** The MCP client connection of an instance over its transport (stdio child or remote endpoint). */
function connectionOf(
  config: ServerConfig,
  deps: InstanceDeps,
  hooks: InstanceHooks,
  transport: McpConnectionOptions['transport'],
  describeClose?: () => string | null,
  related?: RelatedRequests,
) {
  return createMcpConnection({
    server: config.name,
    transport,
    timeoutMs: config.timeout_ms,
    clientInfo: deps.clientInfo,
    versionNegotiation: deps.versionNegotiation(config),
    ...(describeClose ? { describeClose } : {}),
    onLost: hooks.onLost,
    onListChanged: hooks.onListChanged,
    onError: hooks.onError,
    ...(hooks.clientFeatures ? { clientFeatures: hooks.clientFeatures } : {}),
    ...(hooks.refusal ? { refusal: hooks.refusal } : {}),
    ...(related ? { relatedRequests: related } : {}),
  });
}

async function openRemote(config: ServerConfig, deps: InstanceDeps, hooks: InstanceHooks, signal: AbortSignal): Promise<ServerInstance> {
  // A Streamable HTTP connection can tell which request a server's own request rode with: on a shared
  // one that names the client to ask, on a per-session one the client request to ask it with.
  const related = config.transport === 'streamable-http' ? new RelatedRequests() : undefined;
  const inner = createRemoteTransport(config, { fetch: deps.fetch, ...deps.websocket, maxPayload: deps.maxLineBytes, related });
  const transport = new TappedTransport(inner, hooks.tap);
  const describeClose = inner instanceof WebSocketClientTransport ? () => inner.closedWhy : undefined;
  const connection = connectionOf(config, deps, hooks, transport, describeClose, related);
  let torn: Promise<void> | null = null;
  const teardown = () =>
    (torn ??= (async () => {
      await endRemoteSession(inner);
      await connection.close();
    })());
  const instance: ServerInstance = { connection, pid: null, exit: () => null, teardown };
  try {
    if (signal.aborted) throw new ServerError('SERVER_STOPPED', config.name, `start of "${config.name}" was cancelled`);
    await connection.connect(signal);
    return instance;
  } catch (err) {
    await instance.teardown();
    throw err;
  }
}

/** How long a stop waits for a remote server to acknowledge the end of its session. */
const END_SESSION_WAIT_MS = 2_000;

/**
 * Ends the client's MCP session at a Streamable HTTP server (DELETE with its Mcp-Session-Id), so
 * the server drops what it still holds for it (requests waiting for this client, subscriptions)
 * instead of keeping it until its own timeouts. Bounded; a server without sessions or one that
 * refuses (405) is fine.
 */
async function endRemoteSession(transport: unknown): Promise<void> {
  if (!(transport instanceof StreamableHTTPClientTransport) || transport.sessionId === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  const wait = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, END_SESSION_WAIT_MS);
    timer.unref();
  });
  await Promise.race([transport.terminateSession().catch(() => {}), wait]);
  clearTimeout(timer);
}

/** "exited with code 1", "was killed by SIGKILL", or null while running. */
export function describeExit(exit: ChildExit | null): string | null {
  if (!exit) return null;
  if (exit.signal) return `process was killed by ${exit.signal}`;
  return `process exited with code ${exit.code}`;
}

/**
 * Adds the child's exit and, for a failed start, its last stderr lines: that is where a crashing
 * server says why.
 */
function withStartContext(err: unknown, tail: string[], exit: ChildExit | null): unknown {
  if (!isServerError(err)) return err;
  const showStderr = err.code === 'SERVER_START_FAILED' && tail.length > 0;
  return new ServerError(err.code, err.server, showStderr ? `${err.message}; stderr: ${tail.join(' | ')}` : err.message, {
    cause: err.cause,
    details: { ...err.details, ...(exit ? { exit } : {}), ...(showStderr ? { stderr: tail } : {}) },
  });
}
