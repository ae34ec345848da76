import type { CompleteRequest, CompleteResult, Tool } from '@modelcontextprotocol/server';
import type { Logger } from 'pino';
import type { Principal } from '../../auth/principal.js';
import { withCallContext } from '../../protocol-log/call-context.js';
import type { Allowlist } from '../access/allowlist.js';
import type { ResourceSubscriptions } from './resource-subscriptions.js';
import { createSessionPrompts } from './session-prompts.js';
import { createSessionResources } from './session-resources.js';
import { createSessionTools } from './session-tools.js';
import { createSessionUpstreams, type SessionCall, type SessionClient } from './session-upstreams.js';
import type { ToolPins } from '../catalogue/tool-pins.js';
import type { Upstream, UpstreamControls } from './upstream.js';
import { toProtocolError } from '../mcp-errors.js';
import type { BuiltinServer, ManagedSource } from './upstream-sources.js';

/** Who a session acts for and what it fronts: every server (`endpoint` null) or one, unchanged. */
export interface SessionScope {
  /** The session id; null for a stateless (2026-07-28) request, which has no session. */
  id: string | null;
  principal: Principal;
  /** The protocol log's caller label, e.g. `api_key:claude` or `pipe:example.com`. */
  caller: string;
  endpoint: string | null;
}

export interface RouterDeps {
  managed: ManagedSource;
  builtins: readonly BuiltinServer[];
  pins: ToolPins;
  /** Resource subscriptions on the managed servers' shared connections, by session id. */
  subscriptions: ResourceSubscriptions;
  allowlist: (principal: Principal) => Promise<Allowlist>;
  separator: string;
  log: Pick<Logger, 'debug' | 'warn'>;
  onCall?: (outcome: 'ok' | 'error' | 'denied', durationMs: number) => void;
}

/** One tool as the session shows it. */
export interface RoutedTool {
  exposed: string;
  server: string;
  tool: Tool;
}

/**
 * The routing of one gateway session: which upstreams it may see, their tools, resources and
 * prompts (namespaced in the aggregate, unchanged on a per-server endpoint), filtered by the key's
 * allowlists and the tool pins, and calls routed back to the right upstream within the caller's
 * call context (so the protocol log records caller and session).
 */
export function createSessionRouter(deps: RouterDeps, scope: SessionScope) {
  const aggregate = scope.endpoint === null;
  let client: SessionClient | null = null;
  const upstreams = createSessionUpstreams(deps, scope, () => client);
  const call: SessionCall = async (server, fn) => {
    try {
      return await withCallContext({ caller: scope.caller, sessionId: scope.id }, fn);
    } catch (err) {
      throw toProtocolError(err, server);
    }
  };
  const tools = createSessionTools(deps, scope, upstreams, call);
  const resources = createSessionResources(deps, scope, upstreams, call);
  const prompts = createSessionPrompts(deps, scope, upstreams, call);

  /** The upstream that owns a completion's prompt or resource template, and the request it gets. */
  const completionTarget = async (params: CompleteRequest['params']): Promise<{ server: string; forwarded: CompleteRequest['params']; u: Upstream }> => {
    const ref = params.ref;
    if (ref.type === 'ref/prompt') {
      const target = await prompts.promptTarget(ref.name);
      return { server: target.server, forwarded: { ...params, ref: { ...ref, name: target.name } }, u: await upstreams.reach(target.server) };
    }
    const target = await resources.resourceTarget(ref.uri);
    return { server: target.server, forwarded: { ...params, ref: { ...ref, uri: target.uri } }, u: target.u };
  };

  return {
    scope,
    listTools: tools.listTools,
    callTool: tools.callTool,
    /** The upstream and tool behind an exposed name, checked as a call is (definition, pin, allowlist); throws the refusal. */
    resolveTool: tools.resolveTool,
    listResources: resources.listResources,
    listResourceTemplates: resources.listResourceTemplates,
    readResource: resources.readResource,
    listPrompts: prompts.listPrompts,
    getPrompt: prompts.getPrompt,
    subscribeResource: resources.subscribeResource,
    unsubscribeResource: resources.unsubscribeResource,
    /**
     * `completion/complete` for a prompt argument or a resource template, at the upstream that owns
     * it (names and templates namespaced in the aggregate). A server without completions completes
     * nothing.
     */
    async complete(params: CompleteRequest['params'], ctl: UpstreamControls): Promise<CompleteResult> {
      const { server, forwarded, u } = await completionTarget(params);
      if (!u.capabilities()?.completions) return { completion: { values: [], hasMore: false } };
      return call(server, () => u.complete(forwarded, ctl));
    },
    /** The session's client side: where its own upstreams (per_session) send sampling, elicitation and roots requests. */
    attachClient(c: SessionClient): void {
      client = c;
    },
    /** The client's roots changed: its own upstreams are told. */
    rootsChanged: () => upstreams.rootsChanged(),
    /** Whether a change on `server` concerns this session. */
    concerns(server: string): boolean {
      return aggregate || scope.endpoint === server;
    },
    async close(): Promise<void> {
      if (scope.id !== null) await deps.subscriptions.dropSession(scope.id);
      await upstreams.close();
    },
  };
}

export type SessionRouter = ReturnType<typeof createSessionRouter>;
