import { Client, ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/client';
import type {
  CallToolResult,
  CompleteRequest,
  CompleteResult,
  GetPromptResult,
  Implementation,
  Progress,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplateType,
  ServerCapabilities,
  JSONRPCRequest,
  RequestId,
  Tool,
  Transport,
} from '@modelcontextprotocol/client';
import type { CallContext } from '../../protocol-log/call-context.js';
import { ForwardingLane, type ForwardHandle, type ForwardSink } from './forwarding-lane.js';
import { OrderedTransport } from './ordered-transport.js';
import type { RelatedRequests } from './related-requests.js';
import { RequestOwners } from './request-owners.js';
import { handshakeFailure, notConnected, requestFailure } from './sdk-errors.js';

export type ListKind = 'tools' | 'resources' | 'resourceTemplates' | 'prompts';

export interface McpConnectionOptions {
  /** The server's name, used in error messages. */
  server: string;
  /** A fresh, unstarted transport; the connection owns it (closing the connection closes it). */
  transport: Transport;
  /** Deadline for the whole handshake, and the default per-request timeout. */
  timeoutMs: number;
  clientInfo: Implementation;
  /**
   * `auto`: probe with `server/discover` (protocol 2026-07-28) and fall back to `initialize`;
   * `legacy`: plain `initialize` handshake (2025 protocol versions). Default `legacy`.
   */
  versionNegotiation?: 'auto' | 'legacy';
  /**
   * Why the transport closed (e.g. "process exited with code 1"), appended to errors of pending
   * calls; null while the transport is healthy.
   */
  describeClose?: () => string | null;
  /** A server announced that a list changed; the cached list was dropped already. */
  onListChanged?: (kind: ListKind) => void;
  /** The connection ended without `close()` being called (process died, network dropped). */
  onLost?: () => void;
  /** Out-of-band errors (bad messages, transport hiccups). Informational. */
  onError?: (err: Error) => void;
  /**
   * The client whose features (sampling, elicitation, roots) this connection offers the server:
   * given, the connection declares them and hands the server's requests to it (a per-session
   * upstream). Absent, it declares none and answers such requests with `refusal`.
   */
  clientFeatures?: ClientFeatures;
  /**
   * Which of our requests a server request rode with (a Streamable HTTP server). Without
   * `clientFeatures` (a connection shared by many clients), the connection declares the client
   * features and hands a server request to the owner of the forwarded request it rode with (see
   * `forward`); one it cannot tie to an owner is refused with `refusal`. With them (a per-session
   * upstream), a server request goes to the owner of the request it rode with (`RequestControls.owner`)
   * and only one it cannot tie to a request goes to `clientFeatures`.
   */
  relatedRequests?: Pick<RelatedRequests, 'take'> | undefined;
  /** Why a server-to-client request cannot be answered on this connection (default: not supported). */
  refusal?: (method: string) => string;
}

/** The server-to-client requests a gateway forwards to its client. */
export const CLIENT_FEATURE_METHODS = ['sampling/createMessage', 'elicitation/create', 'roots/list'] as const;
export type ClientFeatureMethod = (typeof CLIENT_FEATURE_METHODS)[number];

/** Answers a server's request for a client feature (its result, or a thrown ProtocolError). */
export interface ClientFeatures {
  request(method: ClientFeatureMethod, params: Record<string, unknown> | undefined, signal: AbortSignal): Promise<Record<string, unknown>>;
}

/** A forwarded request's sink, its failures already translated (sdk-errors.ts). */
export interface ForwardedSink extends Omit<ForwardSink, 'failed'> {
  failed(err: unknown): void;
}

export interface RequestControls {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Progress notifications of this request; also resets its timeout while they arrive. */
  onProgress?: (progress: Progress) => void;
  /**
   * A connection with `clientFeatures` (per-session): where the server's own requests made for this
   * one go (sampling, elicitation, roots), when the connection can tell (`relatedRequests`).
   */
  owner?: ClientFeatures;
}

export interface McpConnection {
  /** Runs the handshake. Rejects with ServerError (START_FAILED, TIMEOUT) and closes the transport. */
  connect(signal?: AbortSignal): Promise<void>;
  readonly isOpen: boolean;
  serverInfo(): Implementation | undefined;
  protocolVersion(): string | undefined;
  capabilities(): ServerCapabilities | undefined;
  instructions(): string | undefined;
  /** Cached until the server sends `notifications/*\/list_changed`, or `refresh` is set. */
  listTools(opts?: { refresh?: boolean }): Promise<Tool[]>;
  listResources(opts?: { refresh?: boolean }): Promise<Resource[]>;
  listResourceTemplates(opts?: { refresh?: boolean }): Promise<ResourceTemplateType[]>;
  listPrompts(opts?: { refresh?: boolean }): Promise<Prompt[]>;
  /** Tool failures come back as a result with `isError`; transport/protocol failures throw ServerError. */
  callTool(name: string, args?: Record<string, unknown>, ctl?: RequestControls): Promise<CallToolResult>;
  readResource(uri: string, ctl?: RequestControls): Promise<ReadResourceResult>;
  getPrompt(name: string, args?: Record<string, string>, ctl?: RequestControls): Promise<GetPromptResult>;
  /** `resources/subscribe`; the server's `notifications/resources/updated` reach the message tap. */
  subscribeResource(uri: string): Promise<void>;
  unsubscribeResource(uri: string): Promise<void>;
  complete(params: CompleteRequest['params'], ctl?: RequestControls): Promise<CompleteResult>;
  /**
   * Raw forwarding (the gateway's fast path): sends `request` as is, beside the SDK client, under an
   * id of its own; the server's progress and response reach `sink` with the caller's id and token.
   * A timeout (the connection's, reset by progress) or a closed connection reaches `sink.failed` as
   * a ServerError. `owner`: where the server's own requests made for this one go (sampling,
   * elicitation, roots), when the connection can tell (`relatedRequests`). `timeoutMs`: what is left of
   * the caller's deadline (default the connection's timeout). `context`: whom it is sent for (the protocol log's
   * caller). Throws ServerError when the connection is not open or cannot send.
   */
  forward(request: JSONRPCRequest, sink: ForwardedSink, owner?: ClientFeatures, timeoutMs?: number, context?: CallContext): Promise<ForwardHandle>;
  /** Tells the server the client's roots changed (`notifications/roots/list_changed`). */
  rootsChanged(): Promise<void>;
  ping(timeoutMs?: number): Promise<void>;
  /** Closes the client and its transport (for stdio: stops the process group). Idempotent. */
  close(): Promise<void>;
}

/**
 * One MCP client session with one server, on the official SDK's `Client`. Every request a caller
 * makes goes through here, so errors are translated once into ServerError and a pending request
 * fails at once when the transport closes.
 */
export function createMcpConnection(opts: McpConnectionOptions): McpConnection {
  const invalidate = (kind: ListKind) => {
    cache.delete(kind);
    generation[kind]++;
  };
  const listChangedHandler = (kind: ListKind) => ({
    autoRefresh: false,
    debounceMs: 0,
    onChanged: () => {
      invalidate(kind);
      opts.onListChanged?.(kind);
    },
  });
  const features = opts.clientFeatures;
  const client = new Client(opts.clientInfo, {
    capabilities: features || opts.relatedRequests ? { sampling: {}, elicitation: { form: {}, url: {} }, roots: { listChanged: true } } : {},
    listChanged: {
      tools: listChangedHandler('tools'),
      prompts: listChangedHandler('prompts'),
      resources: listChangedHandler('resources'),
    },
    versionNegotiation: { mode: opts.versionNegotiation ?? 'legacy' },
  });
  const lane = new ForwardingLane(opts.transport);
  const owned = new RequestOwners(lane);
  /** The owner of our request a server request rode with, when the connection can tell. */
  const ownerOf = (serverRequestId: RequestId): ClientFeatures | undefined => {
    const related = opts.relatedRequests?.take(serverRequestId);
    return related === undefined ? undefined : ((lane.ownerOf(related) ?? owned.ownerOf(related)) as ClientFeatures | undefined);
  };
  const cache = new Map<ListKind, Promise<unknown[]>>();
  const generation: Record<ListKind, number> = { tools: 0, resources: 0, resourceTemplates: 0, prompts: 0 };
  let open = false;
  let closing = false;

  client.onerror = (err) => opts.onError?.(err);
  if (features) {
    for (const method of CLIENT_FEATURE_METHODS) {
      client.setRequestHandler(method, (async (req: { params?: Record<string, unknown> }, ctx: { mcpReq: { id: RequestId; signal: AbortSignal } }) =>
        (ownerOf(ctx.mcpReq.id) ?? features).request(method, req.params, ctx.mcpReq.signal)) as never);
    }
  } else {
    client.fallbackRequestHandler = async (req, ctx) => {
      const owner = ownerOf(ctx.mcpReq.id);
      if (owner && (CLIENT_FEATURE_METHODS as readonly string[]).includes(req.method)) {
        return owner.request(req.method as ClientFeatureMethod, req.params as Record<string, unknown> | undefined, ctx.mcpReq.signal) as never;
      }
      const why = opts.refusal?.(req.method) ?? `${req.method} is not supported by this client`;
      throw new ProtocolError(ProtocolErrorCode.MethodNotFound, why);
    };
  }
  client.onclose = () => {
    const wasOpen = open;
    open = false;
    cache.clear();
    if (wasOpen && !closing) opts.onLost?.();
  };

  const link = () => ({ open, closedWhy: opts.describeClose?.() });

  /** Runs one request and turns SDK failures into ServerError (sdk-errors.ts). */
  const guard = async <T>(method: string, run: () => Promise<T>): Promise<T> => {
    if (!open) throw notConnected(opts.server, link());
    try {
      return await run();
    } catch (err) {
      throw requestFailure(err, opts.server, method, link());
    }
  };

  /** Runs a request made for `ctl.owner` (a per-session connection): the server's requests for it go there. */
  const owning = <T>(ctl: RequestControls | undefined, run: () => Promise<T>): Promise<T> => (features && ctl?.owner ? owned.run(ctl.owner, run) : run());

  const requestOptions = (ctl: RequestControls | undefined) => ({
    timeout: ctl?.timeoutMs ?? opts.timeoutMs,
    ...(ctl?.signal ? { signal: ctl.signal } : {}),
    ...(ctl?.onProgress ? { onprogress: ctl.onProgress, resetTimeoutOnProgress: true } : {}),
  });

  const cachedList = <T>(kind: ListKind, method: string, refresh: boolean | undefined, fetch: () => Promise<T[]>): Promise<T[]> =>
    guard(method, async () => {
      const held = cache.get(kind);
      if (held && !refresh) return (await held) as T[];
      const gen = generation[kind];
      const pending = fetch();
      cache.set(kind, pending);
      try {
        return await pending;
      } catch (err) {
        if (cache.get(kind) === pending) cache.delete(kind);
        throw err;
      } finally {
        // A list_changed that arrived while fetching makes this answer stale: do not keep it.
        if (generation[kind] !== gen && cache.get(kind) === pending) cache.delete(kind);
      }
    });

  return {
    async connect(signal) {
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), opts.timeoutMs);
      timer.unref();
      const onAbort = () => deadline.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await client.connect(new OrderedTransport(owned), { timeout: opts.timeoutMs, signal: deadline.signal });
        open = true;
      } catch (err) {
        closing = true;
        await opts.transport.close().catch(() => {});
        throw handshakeFailure(err, opts.server, {
          cancelled: signal?.aborted === true,
          pastDeadline: deadline.signal.aborted,
          timeoutMs: opts.timeoutMs,
          closedWhy: opts.describeClose?.(),
        });
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
    },
    get isOpen() {
      return open;
    },
    serverInfo: () => client.getServerVersion(),
    protocolVersion: () => client.getNegotiatedProtocolVersion(),
    capabilities: () => client.getServerCapabilities(),
    instructions: () => client.getInstructions(),
    listTools: (o) => cachedList('tools', 'tools/list', o?.refresh, async () => (await client.listTools(undefined, requestOptions(undefined))).tools),
    listResources: (o) =>
      cachedList('resources', 'resources/list', o?.refresh, async () => (await client.listResources(undefined, requestOptions(undefined))).resources),
    listResourceTemplates: (o) =>
      cachedList(
        'resourceTemplates',
        'resources/templates/list',
        o?.refresh,
        async () => (await client.listResourceTemplates(undefined, requestOptions(undefined))).resourceTemplates,
      ),
    listPrompts: (o) => cachedList('prompts', 'prompts/list', o?.refresh, async () => (await client.listPrompts(undefined, requestOptions(undefined))).prompts),
    callTool: (name, args, ctl) =>
      guard('tools/call', () => owning(ctl, () => client.callTool({ name, ...(args ? { arguments: args } : {}) }, requestOptions(ctl)))),
    readResource: (uri, ctl) => guard('resources/read', () => owning(ctl, () => client.readResource({ uri }, { ...requestOptions(ctl), cacheMode: 'bypass' }))),
    getPrompt: (name, args, ctl) =>
      guard('prompts/get', () => owning(ctl, () => client.getPrompt({ name, ...(args ? { arguments: args } : {}) }, requestOptions(ctl)))),
    subscribeResource: (uri) => guard('resources/subscribe', async () => void (await client.subscribeResource({ uri }, requestOptions(undefined)))),
    unsubscribeResource: (uri) => guard('resources/unsubscribe', async () => void (await client.unsubscribeResource({ uri }, requestOptions(undefined)))),
    complete: (params, ctl) => guard('completion/complete', () => owning(ctl, () => client.complete(params, requestOptions(ctl)))),
    forward: (request, sink, owner, timeoutMs, context) =>
      guard(request.method, () =>
        lane.forward(
          request,
          { related: sink.related, done: sink.done, failed: (err) => sink.failed(requestFailure(err, opts.server, request.method, link())) },
          timeoutMs ?? opts.timeoutMs,
          owner,
          context,
        ),
      ),
    rootsChanged: () => guard('notifications/roots/list_changed', () => client.sendRootsListChanged()),
    ping: (timeoutMs) => guard('ping', async () => void (await client.ping({ timeout: timeoutMs ?? opts.timeoutMs }))),
    async close() {
      if (closing && !open) return;
      closing = true;
      open = false;
      cache.clear();
      await client.close().catch(() => {});
      await opts.transport.close().catch(() => {});
    },
  };
}
