import { ProtocolError, ProtocolErrorCode, SdkError, Server, type Implementation, type ServerCapabilities } from '@modelcontextprotocol/server';
import type { ClientFeatureMethod, ClientFeatures } from '../../servers/connection/mcp-connection.js';
import { VERSION } from '../../version.js';
import type { SessionRouter } from './session-router.js';
import type { UpstreamControls } from './upstream.js';
import { GATEWAY_ERROR } from '../mcp-errors.js';

export interface SessionServerFace {
  /** What the session says it is: the gateway itself, or the upstream unchanged (per-server endpoint). */
  info?: Implementation | undefined;
  instructions?: string | undefined;
  /** For a per-server endpoint, the upstream's capabilities decide which lists exist. */
  upstreamCapabilities?: ServerCapabilities | undefined;
}

/** How long the gateway waits for its client to answer an upstream's sampling, elicitation or roots request. */
const CLIENT_REQUEST_TIMEOUT_MS = 5 * 60_000;

/**
 * An upstream's requests waiting for this session's client at once, at most: more are refused at
 * once (a JSON-RPC error to the upstream), so an upstream that floods its client cannot pile up
 * requests, timers and open streams in the gateway.
 */
export const MAX_CLIENT_REQUESTS = 16;

const GATEWAY_INSTRUCTIONS =
  'MCPS.ONE gateway: the tools, resources and prompts of every MCP server you may use. Tool and prompt names are {server}__{name}; resource URIs are mcps://{server}/{uri}.';

/**
 * The SDK server of one gateway session. The SDK does the protocol (initialize and version
 * negotiation, ping, request ids, cancellation, progress plumbing); the handlers route to upstreams.
 * Progress of an upstream call is forwarded with the client's own progress token, and the client's
 * cancellation aborts the upstream request (the upstream gets its own `notifications/cancelled`).
 */
export function createSessionServer(router: SessionRouter, face: SessionServerFace = {}): Server {
  const up = face.upstreamCapabilities;
  const aggregate = router.scope.endpoint === null;
  // Subscriptions are held per session: a stateless (2026-07-28) request has none to hold them.
  const sessionful = router.scope.id !== null;
  const capabilities: ServerCapabilities = aggregate
    ? {
        tools: { listChanged: true },
        resources: { listChanged: true, ...(sessionful ? { subscribe: true } : {}) },
        prompts: { listChanged: true },
        completions: {},
        logging: {},
      }
    : {
        ...(up?.logging ? { logging: {} } : {}),
        ...(up?.completions ? { completions: {} } : {}),
        ...(up?.tools ? { tools: { listChanged: true } } : {}),
        ...(up?.resources ? { resources: { listChanged: true, ...(sessionful && up.resources.subscribe ? { subscribe: true } : {}) } } : {}),
        ...(up?.prompts ? { prompts: { listChanged: true } } : {}),
      };
  const server = new Server(face.info ?? { name: 'mcps-one-gateway', version: VERSION }, {
    capabilities,
    instructions: aggregate ? GATEWAY_INSTRUCTIONS : face.instructions,
  });

  type Send = (req: { method: ClientFeatureMethod; params?: Record<string, unknown> }, opts: { signal: AbortSignal; timeout: number }) => Promise<unknown>;
  type Ctx = {
    mcpReq: {
      signal: AbortSignal;
      _meta?: { progressToken?: string | number } | undefined;
      notify: (n: { method: 'notifications/progress'; params: Record<string, unknown> }) => Promise<void>;
      send: Send;
    };
  };

  type Entry = { ctx: Ctx; done: AbortController };
  /** The client requests being answered now, oldest first: an upstream's own requests ride with one of them. */
  const active: Entry[] = [];

  /**
   * Where this session's own upstream (session mode per_session) sends sampling, elicitation and
   * roots requests: to this session's client, as part of the client request that caused it (on its
   * HTTP stream), or on the session's standing stream when none is in progress. Only this session's
   * client ever sees them. The client's answer (or JSON-RPC error) goes back to the upstream; a
   * client that does not answer within the timeout gets `notifications/cancelled` and the upstream
   * an error; so does one still asked once the client request that caused it has its answer (the
   * upstream gave up on it; its own cancellation may never reach us once the request's stream is
   * closed). `over`: aborted once that request, or every request it may have come with, is answered.
   */
  let waiting = 0;
  const ask = async (method: ClientFeatureMethod, params: Record<string, unknown> | undefined, signal: AbortSignal, host: Entry | undefined, over: AbortSignal | undefined) => {
    if (waiting >= MAX_CLIENT_REQUESTS) {
      throw new ProtocolError(
        GATEWAY_ERROR,
        `${method} refused: the client of this gateway session already has ${MAX_CLIENT_REQUESTS} requests from the server waiting for an answer (sampling, elicitation, roots)`,
      );
    }
    const req = { method, ...(params ? { params } : {}) };
    const opts = { signal: over ? AbortSignal.any([signal, over]) : signal, timeout: CLIENT_REQUEST_TIMEOUT_MS };
    waiting++;
    try {
      const result = host ? await host.ctx.mcpReq.send(req, opts) : await (server.request as unknown as Send)(req, opts);
      return result as Record<string, unknown>;
    } catch (err) {
      if (err instanceof ProtocolError) throw err;
      const why = err instanceof SdkError || err instanceof Error ? err.message : String(err);
      throw new ProtocolError(ProtocolErrorCode.InternalError, `the client did not answer ${method}: ${why}`);
    } finally {
      waiting--;
    }
  };

  /**
   * A request of the upstream's that its connection could not tie to one of ours (stdio has no
   * way to say): it came with one of the client requests in progress, or with none. It rides with
   * the oldest of them (one the upstream surely has) and is given up only once every one of them is
   * answered: one answered early says nothing of a request that may belong to another.
   */
  const clientFeatures: ClientFeatures = {
    request(method, params, signal) {
      const candidates = [...active];
      return ask(method, params, signal, candidates[0], candidates.length === 0 ? undefined : allOver(candidates));
    },
  };
  router.attachClient({ features: clientFeatures, lost: () => {} });

  /**
   * Upstream controls for one request: its cancellation signal and, when the client asked for
   * progress, forwarding with the client's token. The result waits for forwarded progress, so the
   * last progress is not overtaken by the result.
   */
  const forward = async <T>(ctx: Ctx, run: (ctl: UpstreamControls) => Promise<T>): Promise<T> => {
    const token = ctx.mcpReq._meta?.progressToken;
    const sent: Promise<void>[] = [];
    const ctl: UpstreamControls = { signal: ctx.mcpReq.signal };
    if (token !== undefined) {
      ctl.onProgress = (p) => {
        sent.push(ctx.mcpReq.notify({ method: 'notifications/progress', params: { ...p, progressToken: token } }).catch(() => {}));
      };
    }
    const entry: Entry = { ctx, done: new AbortController() };
    // The upstream's own requests that its connection ties to this one (Streamable HTTP) ride with it.
    ctl.owner = { request: (method, params, signal) => ask(method, params, signal, entry, entry.done.signal) };
    active.push(entry);
    try {
      const result = await run(ctl);
      await Promise.all(sent);
      return result;
    } finally {
      active.splice(active.indexOf(entry), 1);
      entry.done.abort(new Error('the request it belonged to has been answered'));
    }
  };

  if (capabilities.tools) {
    server.setRequestHandler('tools/list', async () => ({ tools: (await router.listTools()).map((t) => ({ ...t.tool, name: t.exposed })) }));
    server.setRequestHandler('tools/call', async (req, ctx) =>
      forward(ctx as unknown as Ctx, (ctl) => router.callTool(req.params.name, req.params.arguments as Record<string, unknown> | undefined, ctl)),
    );
  }
  if (capabilities.resources) {
    server.setRequestHandler('resources/list', async () => ({ resources: await router.listResources() }));
    server.setRequestHandler('resources/templates/list', async () => ({ resourceTemplates: await router.listResourceTemplates() }));
    server.setRequestHandler('resources/read', async (req, ctx) => forward(ctx as unknown as Ctx, (ctl) => router.readResource(req.params.uri, ctl)));
  }
  if (capabilities.resources?.subscribe) {
    server.setRequestHandler('resources/subscribe', async (req) => (await router.subscribeResource(req.params.uri), {}));
    server.setRequestHandler('resources/unsubscribe', async (req) => (await router.unsubscribeResource(req.params.uri), {}));
  }
  if (capabilities.completions) {
    server.setRequestHandler('completion/complete', async (req, ctx) => forward(ctx as unknown as Ctx, (ctl) => router.complete(req.params, ctl)));
  }
  if (capabilities.prompts) {
    server.setRequestHandler('prompts/list', async () => ({ prompts: await router.listPrompts() }));
    server.setRequestHandler('prompts/get', async (req, ctx) =>
      forward(ctx as unknown as Ctx, (ctl) => router.getPrompt(req.params.name, req.params.arguments as Record<string, string> | undefined, ctl)),
    );
  }
  server.setNotificationHandler('notifications/roots/list_changed', () => void router.rootsChanged());
  return server;
}

/** Aborted once every one of `entries` is over (their `done`), with the last one's reason. */
function allOver(entries: readonly { done: AbortController }[]): AbortSignal {
  if (entries.length === 1) return entries[0]!.done.signal;
  const all = new AbortController();
  let left = entries.length;
  for (const e of entries) {
    const count = () => {
      if (--left === 0) all.abort(e.done.signal.reason);
    };
    if (e.done.signal.aborted) count();
    else e.done.signal.addEventListener('abort', count, { once: true });
  }
  return all.signal;
}
