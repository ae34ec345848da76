import type { Client } from '@modelcontextprotocol/client';
import type { CallToolResult, CompleteRequest, CompleteResult, GetPromptResult, Prompt, ReadResourceResult, Resource, ResourceTemplateType, Tool } from '@modelcontextprotocol/server';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal.js';
import { withCallContext } from '../protocol-log/call-context.js';
import { serverAllowed, toolAllowed, type Allowlist } from './allowlist.js';
import type { ResourceSubscriptions } from './resource-subscriptions.js';
import type { ToolPins } from './tool-pins.js';
import { fullName, namespacedName, namespacedUri, parseNamespacedUri } from './tool-names.js';
import type { Upstream, UpstreamControls } from './upstream.js';
import { deniedError, toProtocolError } from './mcp-errors.js';
import { builtinUpstream, type BuiltinServer, type ManagedSource } from './upstream-sources.js';

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
  const builtinClients = new Map<string, Promise<Client>>();
  let routes = new Map<string, RoutedTool>();
  const promptRoutes = new Map<string, { server: string; name: string }>();

  const builtin = (name: string) => deps.builtins.find((b) => b.name === name);

  const upstream = async (name: string): Promise<Upstream> => {
    const b = builtin(name);
    if (!b) return deps.managed.get(name);
    let client = builtinClients.get(name);
    if (!client) {
      client = b.open(scope.principal);
      builtinClients.set(name, client);
      client.catch(() => builtinClients.delete(name));
    }
    return builtinUpstream(name, await client);
  };

  /** The upstreams this session may use now. */
  const names = async (): Promise<string[]> => {
    const list = await deps.allowlist(scope.principal);
    const all = aggregate ? [...deps.managed.running(), ...deps.builtins.map((b) => b.name)] : [scope.endpoint!];
    return [...new Set(all)].filter((n) => serverAllowed(list, n));
  };

  /** Runs `fn` over each upstream; in the aggregate a failing upstream is skipped (logged). */
  const each = async <T>(fn: (u: Upstream) => Promise<T[]>): Promise<T[][]> => {
    const list = await names();
    if (!aggregate) {
      if (list.length === 0) throw deniedError(`MCP server '${scope.endpoint}' is not available to this API key`);
      try {
        return [await fn(await upstream(list[0]!))];
      } catch (err) {
        throw toProtocolError(err, list[0]!);
      }
    }
    return Promise.all(
      list.map(async (n) => {
        try {
          return await fn(await upstream(n));
        } catch (err) {
          deps.log.debug({ server: n, err }, 'gateway: an upstream could not be listed; skipped');
          return [];
        }
      }),
    );
  };

  const has = (u: Upstream, what: 'tools' | 'resources' | 'prompts') => Boolean(u.capabilities()?.[what]);

  /** Visible, allowed tools with their exposed names; rebuilds the routing table. */
  const listTools = async (): Promise<RoutedTool[]> => {
    const list = await deps.allowlist(scope.principal);
    const groups = await each(async (u) => {
      if (!has(u, 'tools')) return [];
      const tools = await u.listTools();
      // Built-in servers are this platform's own code: not pinned.
      const verdicts = u.kind === 'builtin' ? tools.map(() => ({ visible: true })) : await deps.pins.check(u.name, tools);
      return tools
        .map((tool, i) => ({ tool, visible: verdicts[i]!.visible, server: u.name }))
        .filter((t) => t.visible)
        .map(({ tool, server }) => ({ tool, server, exposed: aggregate ? namespacedName(server, tool.name, deps.separator) : tool.name }))
        .filter((t) => toolAllowed(list, t.server, { full: fullName(t.server, t.tool.name, deps.separator), exposed: t.exposed }));
    });
    const next = new Map<string, RoutedTool>();
    for (const t of groups.flat()) {
      if (next.has(t.exposed)) {
        deps.log.warn({ name: t.exposed, server: t.server }, 'gateway: two tools map to the same name; the second is hidden');
        continue;
      }
      next.set(t.exposed, t);
    }
    routes = next;
    return [...next.values()];
  };

  /** The tool behind an exposed name, re-checked against the current definition, pin and allowlist. */
  const resolveTool = async (exposed: string): Promise<{ route: RoutedTool; u: Upstream }> => {
    let route = routes.get(exposed);
    if (!route) {
      await listTools();
      route = routes.get(exposed);
    }
    if (!route) {
      const why = await whyHidden(exposed);
      // A per-server endpoint shows its server unchanged: a name the server does not list (and
      // the key may call) goes to the server, which answers as it would directly.
      if (!aggregate && why.startsWith('unknown tool')) {
        const server = scope.endpoint!;
        const u = await upstream(server).catch((err: unknown) => Promise.reject(toProtocolError(err, server)));
        return { route: { exposed, server, tool: { name: exposed, inputSchema: { type: 'object' } } }, u };
      }
      throw deniedError(why);
    }
    const u = await upstream(route.server).catch((err: unknown) => {
      throw toProtocolError(err, route.server);
    });
    const current = (await u.listTools().catch((err: unknown) => Promise.reject(toProtocolError(err, route.server)))).find((t) => t.name === route.tool.name);
    if (!current) throw deniedError(`tool '${exposed}' is no longer offered by MCP server '${route.server}'`);
    if (u.kind === 'managed') {
      const [verdict] = await deps.pins.check(route.server, [current]);
      if (!verdict!.visible) throw deniedError(quarantined(exposed));
    }
    const list = await deps.allowlist(scope.principal);
    if (!toolAllowed(list, route.server, { full: fullName(route.server, current.name, deps.separator), exposed })) {
      throw deniedError(`tool '${exposed}' is not allowed for this API key`);
    }
    return { route, u };
  };

  const quarantined = (exposed: string) =>
    `tool '${exposed}' is quarantined: its definition changed (or hides invisible text) and an admin must approve it (POST /api/v1/gateway/tools/${exposed}/approve)`;

  /** A clear reason for a name that is not in the session's list, without calling the upstream. */
  const whyHidden = async (exposed: string): Promise<string> => {
    const sep = deps.separator;
    const server = aggregate ? exposed.split(sep)[0]! : scope.endpoint!;
    const tool = aggregate ? exposed.slice(server.length + sep.length) : exposed;
    if (aggregate && !exposed.includes(sep)) return `unknown tool '${exposed}'`;
    const list = await deps.allowlist(scope.principal);
    if (!toolAllowed(list, server, { full: fullName(server, tool, sep), exposed })) return `tool '${exposed}' is not allowed for this API key`;
    const pin = await deps.pins.get(server, tool);
    if (pin && pin.state === 'quarantined') return quarantined(exposed);
    return `unknown tool '${exposed}'`;
  };

  const call = async <T>(server: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await withCallContext({ caller: scope.caller, sessionId: scope.id }, fn);
    } catch (err) {
      throw toProtocolError(err, server);
    }
  };

  const routeUri = (uri: string): { server: string; uri: string } => {
    if (!aggregate) return { server: scope.endpoint!, uri };
    const parsed = parseNamespacedUri(uri);
    if (!parsed) throw deniedError(`unknown resource '${uri}' (gateway resource URIs look like mcps://{server}/{uri})`);
    return parsed;
  };

  /** The upstream behind a URI (namespaced in the aggregate) that this session may use. */
  const resourceTarget = async (uri: string): Promise<{ server: string; uri: string; u: Upstream }> => {
    const target = routeUri(uri);
    if (!(await names()).includes(target.server)) throw deniedError(`unknown resource '${uri}'`);
    const u = await upstream(target.server).catch((err: unknown) => Promise.reject(toProtocolError(err, target.server)));
    return { ...target, u };
  };

  /** The prompt behind an exposed name (namespaced in the aggregate) that this session may use. */
  const promptTarget = async (name: string): Promise<{ server: string; name: string }> => {
    let route = promptRoutes.get(name);
    if (!route) {
      await listPrompts();
      route = promptRoutes.get(name);
    }
    if (!route || !(await names()).includes(route.server)) throw deniedError(`unknown prompt '${name}'`);
    return route;
  };

  const listPrompts = async (): Promise<Prompt[]> => {
    const groups = await each(async (u) => {
      if (!has(u, 'prompts')) return [];
      return (await u.listPrompts()).map((p) => {
        const name = aggregate ? namespacedName(u.name, p.name, deps.separator) : p.name;
        promptRoutes.set(name, { server: u.name, name: p.name });
        return { ...p, name };
      });
    });
    return groups.flat();
  };

  return {
    scope,
    listTools,
    async callTool(exposed: string, args: Record<string, unknown> | undefined, ctl: UpstreamControls): Promise<CallToolResult> {
      const started = performance.now();
      let resolved: { route: RoutedTool; u: Upstream };
      try {
        resolved = await resolveTool(exposed);
      } catch (err) {
        deps.onCall?.('denied', performance.now() - started);
        throw err;
      }
      try {
        const result = await call(resolved.route.server, () => resolved.u.callTool(resolved.route.tool.name, args, ctl));
        deps.onCall?.(result.isError ? 'error' : 'ok', performance.now() - started);
        return result;
      } catch (err) {
        deps.onCall?.('error', performance.now() - started);
        throw err;
      }
    },
    async listResources(): Promise<Resource[]> {
      const groups = await each(async (u) => (has(u, 'resources') ? (await u.listResources()).map((r) => (aggregate ? { ...r, uri: namespacedUri(u.name, r.uri) } : r)) : []));
      return groups.flat();
    },
    async listResourceTemplates(): Promise<ResourceTemplateType[]> {
      const groups = await each(async (u) =>
        has(u, 'resources')
          ? (await u.listResourceTemplates().catch(() => [])).map((t) => (aggregate ? { ...t, uriTemplate: namespacedUri(u.name, t.uriTemplate) } : t))
          : [],
      );
      return groups.flat();
    },
    async readResource(uri: string, ctl: UpstreamControls): Promise<ReadResourceResult> {
      const target = await resourceTarget(uri);
      const result = await call(target.server, () => target.u.readResource(target.uri, ctl));
      if (!aggregate) return result;
      return { ...result, contents: result.contents.map((c) => ({ ...c, uri: namespacedUri(target.server, c.uri) })) };
    },
    listPrompts,
    async getPrompt(name: string, args: Record<string, string> | undefined, ctl: UpstreamControls): Promise<GetPromptResult> {
      const target = await promptTarget(name);
      const u = await upstream(target.server).catch((err: unknown) => Promise.reject(toProtocolError(err, target.server)));
      return call(target.server, () => u.getPrompt(target.name, args, ctl));
    },
    /**
     * `resources/subscribe`: registered on the server's shared connection under this session (the
     * first subscriber subscribes upstream). Refused for a server that does not support it.
     */
    async subscribeResource(uri: string): Promise<void> {
      if (scope.id === null) throw deniedError('resource subscriptions need a session');
      const target = await resourceTarget(uri);
      if (target.u.kind !== 'managed' || !target.u.capabilities()?.resources?.subscribe) {
        throw deniedError(`MCP server '${target.server}' does not support resource subscriptions`);
      }
      await call(target.server, () => deps.subscriptions.subscribe(target.server, target.uri, scope.id!));
    },
    async unsubscribeResource(uri: string): Promise<void> {
      if (scope.id === null) return;
      const target = routeUri(uri);
      await deps.subscriptions.unsubscribe(target.server, target.uri, scope.id);
    },
    /**
     * `completion/complete` for a prompt argument or a resource template, at the upstream that owns
     * it (names and templates namespaced in the aggregate). A server without completions completes
     * nothing.
     */
    async complete(params: CompleteRequest['params'], ctl: UpstreamControls): Promise<CompleteResult> {
      const ref = params.ref;
      let server: string;
      let forwarded: CompleteRequest['params'];
      let u: Upstream;
      if (ref.type === 'ref/prompt') {
        const target = await promptTarget(ref.name);
        server = target.server;
        forwarded = { ...params, ref: { ...ref, name: target.name } };
        u = await upstream(server).catch((err: unknown) => Promise.reject(toProtocolError(err, server)));
      } else {
        const target = await resourceTarget(ref.uri);
        server = target.server;
        forwarded = { ...params, ref: { ...ref, uri: target.uri } };
        u = target.u;
      }
      if (!u.capabilities()?.completions) return { completion: { values: [], hasMore: false } };
      return call(server, () => u.complete(forwarded, ctl));
    },
    /** Whether a change on `server` concerns this session. */
    concerns(server: string): boolean {
      return aggregate || scope.endpoint === server;
    },
    async close(): Promise<void> {
      if (scope.id !== null) await deps.subscriptions.dropSession(scope.id);
      const clients = [...builtinClients.values()];
      builtinClients.clear();
      await Promise.all(clients.map(async (c) => (await c.catch(() => null))?.close().catch(() => {})));
    },
  };
}

export type SessionRouter = ReturnType<typeof createSessionRouter>;
