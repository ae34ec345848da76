import type { CallToolResult } from '@modelcontextprotocol/server';
import { toolAllowed } from '../access/allowlist.js';
import type { RoutedTool, RouterDeps, SessionScope } from './session-router.js';
import { offers, type SessionCall, type SessionUpstreams } from './session-upstreams.js';
import { fullName, namespacedName } from '../catalogue/tool-names.js';
import type { Upstream, UpstreamControls } from './upstream.js';
import { deniedError, toProtocolError } from '../mcp-errors.js';

const quarantined = (exposed: string) =>
  `tool '${exposed}' is quarantined: its definition changed (or hides invisible text) and an admin must approve it (POST /api/v1/gateway/tools/${exposed}/approve)`;

/** A clear reason for a name that is not in the session's list, without calling the upstream. */
async function whyHidden(deps: RouterDeps, scope: SessionScope, exposed: string): Promise<string> {
  const aggregate = scope.endpoint === null;
  const sep = deps.separator;
  const server = aggregate ? exposed.split(sep)[0]! : scope.endpoint!;
  const tool = aggregate ? exposed.slice(server.length + sep.length) : exposed;
  if (aggregate && !exposed.includes(sep)) return `unknown tool '${exposed}'`;
  const list = await deps.allowlist(scope.principal);
  if (!toolAllowed(list, server, { full: fullName(server, tool, sep), exposed })) return `tool '${exposed}' is not allowed for this API key`;
  const pin = await deps.pins.get(server, tool);
  if (pin && pin.state === 'quarantined') return quarantined(exposed);
  return `unknown tool '${exposed}'`;
}

/**
 * A session's tools: the visible, allowed tools under their exposed names (the routing table),
 * and calls routed back to their upstream after a fresh check of definition, pin and allowlist.
 */
export function createSessionTools(deps: RouterDeps, scope: SessionScope, upstreams: SessionUpstreams, call: SessionCall) {
  const aggregate = scope.endpoint === null;
  let routes = new Map<string, RoutedTool>();

  /** Visible, allowed tools with their exposed names; rebuilds the routing table. */
  const listTools = async (): Promise<RoutedTool[]> => {
    const list = await deps.allowlist(scope.principal);
    const groups = await upstreams.each(async (u) => {
      if (!offers(u, 'tools')) return [];
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

  /** A name the session does not list: denied, except on a per-server endpoint (see below). */
  const resolveUnlisted = async (exposed: string): Promise<{ route: RoutedTool; u: Upstream }> => {
    const why = await whyHidden(deps, scope, exposed);
    // A per-server endpoint shows its server unchanged: a name the server does not list (and
    // the key may call) goes to the server, which answers as it would directly.
    if (!aggregate && why.startsWith('unknown tool')) {
      const server = scope.endpoint!;
      const u = await upstreams.reach(server);
      return { route: { exposed, server, tool: { name: exposed, inputSchema: { type: 'object' } } }, u };
    }
    throw deniedError(why);
  };

  /** The tool behind an exposed name, re-checked against the current definition, pin and allowlist. */
  const resolveTool = async (exposed: string): Promise<{ route: RoutedTool; u: Upstream }> => {
    let route = routes.get(exposed);
    if (!route) {
      await listTools();
      route = routes.get(exposed);
    }
    if (!route) return resolveUnlisted(exposed);
    const server = route.server;
    const u = await upstreams.reach(server);
    const current = (await u.listTools().catch((err: unknown) => Promise.reject(toProtocolError(err, server)))).find((t) => t.name === route.tool.name);
    if (!current) throw deniedError(`tool '${exposed}' is no longer offered by MCP server '${server}'`);
    if (u.kind === 'managed') {
      const [verdict] = await deps.pins.check(server, [current]);
      if (!verdict!.visible) throw deniedError(quarantined(exposed));
    }
    const list = await deps.allowlist(scope.principal);
    if (!toolAllowed(list, server, { full: fullName(server, current.name, deps.separator), exposed })) {
      throw deniedError(`tool '${exposed}' is not allowed for this API key`);
    }
    return { route, u };
  };

  return {
    listTools,
    resolveTool,
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
  };
}
