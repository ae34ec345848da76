import type { JSONRPCMessage, JSONRPCRequest, RequestId, Transport } from '@modelcontextprotocol/server';
import type { Logger } from 'pino';
import type { ForwardHandle } from '../../servers/connection/forwarding-lane.js';
import type { ClientFeatures, ForwardedSink } from '../../servers/connection/mcp-connection.js';
import { createClientAsks } from './client-asks.js';
import { toProtocolError } from '../mcp-errors.js';
import { isServerError, ServerError } from '../../servers/server-errors.js';
import type { RouterDeps, SessionRouter } from './session-router.js';
import type { ManagedSource } from './upstream-sources.js';

export interface FastPathDeps {
  router: Pick<SessionRouter, 'scope' | 'resolveTool'>;
  managed: Pick<ManagedSource, 'has' | 'perSession'> & Partial<Pick<ManagedSource, 'timeoutMs'>>;
  builtins: readonly { name: string }[];
  /** The session's client side, recorded: where answers and progress go. */
  wire: Pick<Transport, 'send'>;
  onCall?: RouterDeps['onCall'] | undefined;
  log: Pick<Logger, 'debug'>;
}

/** One forwarded call: its upstream handle once sent; `cancelled` when the client gave up first. */
interface InFlight {
  handle: ForwardHandle | null;
  cancelled: string | null;
  /**
   * Aborted once the call is over: a server request it rode with that still waits is given up.
   * Made on the first such request only (most calls have none: no allocation on the hot path).
   */
  over: AbortController | null;
}

/**
 * `work` unless `deadline` (a performance.now() time) passes first: then a SERVER_TIMEOUT. What
 * comes of `work` later is dropped.
 */
function before<T>(work: Promise<T>, deadline: number | null, server: string): Promise<T> {
  if (deadline === null) return work;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new ServerError('SERVER_TIMEOUT', server, `MCP server "${server}" did not answer tools/call in time (it was not ready to take the call within its timeout)`)),
      Math.max(0, deadline - performance.now()),
    );
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
const ANSWERED = new Error('the request it belonged to has been answered');
const SESSION_CLOSED = new Error('the client session closed');

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A well-formed `tools/call` (anything else goes to the SDK server, which answers it as the spec says). */
function toolCall(message: JSONRPCMessage): (JSONRPCRequest & { params: { name: string } }) | null {
  if (!('method' in message) || message.method !== 'tools/call' || !('id' in message)) return null;
  const p = message.params;
  if (!isObject(p) || typeof p['name'] !== 'string') return null;
  if (p['arguments'] !== undefined && !isObject(p['arguments'])) return null;
  if (p['_meta'] !== undefined && !isObject(p['_meta'])) return null;
  return message as JSONRPCRequest & { params: { name: string } };
}

/**
 * The raw forwarding fast path of a per-server endpoint (`/mcp/{server}`) whose server is managed
 * and in session mode `shared`: a `tools/call` is checked exactly as the SDK path checks it
 * (`router.resolveTool`: definition, pin or quarantine, the key's allowlist) and then forwarded as
 * is on the server's connection with an id of its own (McpConnection.forward), with no SDK server
 * or client in between. Progress comes back with the client's token before the result; the
 * client's `notifications/cancelled` reaches the server; the answer is the server's own. Both
 * sides are recorded (the client side by the session's tap, the upstream side by the connection's,
 * with the caller given to `forward`). A server request that rode with the call on a connection that
 * can tell (Streamable HTTP, related-requests.ts) is put to this client (client-asks.ts).
 * Everything else (initialize, lists, ping, per_session
 * servers, built-ins, the aggregate) goes on to the session's SDK server.
 */
export function createToolCallFastPath(deps: FastPathDeps) {
  const { router } = deps;
  const endpoint = router.scope.endpoint;
  const ctx = { caller: router.scope.caller, sessionId: router.scope.id };
  const inFlight = new Map<RequestId, InFlight>();
  let closed = false;
  const asks = createClientAsks(deps.wire);
  const finish = (id: RequestId, call: InFlight) => {
    if (inFlight.get(id) === call) inFlight.delete(id);
    call.over?.abort(ANSWERED);
  };
  const served = (name: string) => deps.managed.has(name) && !deps.managed.perSession(name) && !deps.builtins.some((b) => b.name === name);

  const send = (message: JSONRPCMessage, relatedRequestId?: RequestId) => {
    deps.wire.send(message, relatedRequestId === undefined ? undefined : { relatedRequestId }).catch((err: unknown) => deps.log.debug({ err }, 'gateway: a fast-path answer could not be delivered'));
  };
  const answerError = (id: RequestId, err: unknown) => {
    const e = toProtocolError(err, endpoint!);
    send({ jsonrpc: '2.0', id, error: { code: e.code, message: e.message, ...(e.data === undefined ? {} : { data: e.data }) } });
  };

  const run = async (message: JSONRPCRequest & { params: { name: string } }, call: InFlight) => {
    const id = message.id;
    const started = performance.now();
    const outcome = (o: 'ok' | 'error' | 'denied') => deps.onCall?.(o, performance.now() - started);
    // The server's timeout bounds the whole call: waiting for a restart in progress and the checks
    // (which may list its tools) use up part of it, and the upstream gets what is left.
    const budget = deps.managed.timeoutMs?.(endpoint!);
    const deadline = budget === undefined ? null : started + budget;
    let resolved: Awaited<ReturnType<SessionRouter['resolveTool']>>;
    try {
      resolved = await before(router.resolveTool(message.params.name), deadline, endpoint!);
    } catch (err) {
      finish(id, call);
      outcome(isServerError(err, 'SERVER_TIMEOUT') ? 'error' : 'denied');
      if (call.cancelled === null) answerError(id, err);
      return;
    }
    if (call.cancelled !== null) return finish(id, call);
    const { route, u } = resolved;
    const request = route.tool.name === message.params.name ? message : { ...message, params: { ...message.params, name: route.tool.name } };
    const sink: ForwardedSink = {
      related: (n) => {
        if (inFlight.get(id) === call) send(n, id);
      },
      done: (response) => {
        if (inFlight.get(id) !== call) return;
        finish(id, call);
        const failed = 'error' in response || (isObject((response as { result?: unknown }).result) && (response as { result: { isError?: unknown } }).result.isError === true);
        outcome(failed ? 'error' : 'ok');
        send(response);
      },
      failed: (err) => {
        if (inFlight.get(id) !== call) return;
        finish(id, call);
        outcome('error');
        answerError(id, err);
      },
    };
    try {
      // The server's own requests made for this call (a connection that can tell: Streamable HTTP) go to this client.
      const owner: ClientFeatures = {
        request: (method, params, signal) => {
          if (call.over === null) {
            call.over = new AbortController();
            // The call is already over (answered, cancelled, or its session closed): given up at once.
            if (inFlight.get(id) !== call) call.over.abort(closed ? SESSION_CLOSED : ANSWERED);
          }
          return asks.ask(id, method, params, AbortSignal.any([signal, call.over.signal]));
        },
      };
      const left = deadline === null ? undefined : Math.max(1, Math.ceil(deadline - performance.now()));
      const handle = await u.forward!(request, sink, owner, left, ctx);
      call.handle = handle;
      if (call.cancelled !== null) handle.cancel(call.cancelled);
    } catch (err) {
      sink.failed(err);
    }
  };

  return {
    /** Takes a message the fast path serves (true); the rest goes on to the SDK server. */
    take(message: JSONRPCMessage): boolean {
      if (closed || endpoint === null) return false;
      if (asks.take(message)) return true;
      if ('method' in message && message.method === 'notifications/cancelled' && !('id' in message)) {
        const params = message.params as { requestId?: RequestId; reason?: string } | undefined;
        const call = params?.requestId === undefined ? undefined : inFlight.get(params.requestId);
        if (!call) return false;
        call.cancelled = params?.reason ?? 'cancelled by the client';
        finish(params!.requestId!, call);
        call.handle?.cancel(call.cancelled);
        return true;
      }
      const msg = toolCall(message);
      if (!msg || inFlight.has(msg.id) || !served(endpoint)) return false;
      const call: InFlight = { handle: null, cancelled: null, over: null };
      inFlight.set(msg.id, call);
      void run(msg, call);
      return true;
    },
    /** The session ended: calls in flight are cancelled at the server. */
    close(): void {
      closed = true;
      for (const call of inFlight.values()) {
        call.cancelled = 'the client session closed';
        call.handle?.cancel(call.cancelled);
        call.over?.abort(SESSION_CLOSED);
      }
      inFlight.clear();
      asks.close();
    },
  };
}

export type ToolCallFastPath = ReturnType<typeof createToolCallFastPath>;
