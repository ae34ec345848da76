import type { Client } from '@modelcontextprotocol/client';
import type { Principal } from '../../auth/principal.js';
import { ProtocolError } from '@modelcontextprotocol/server';
import type { ClientFeatures, McpConnection } from '../../servers/connection/mcp-connection.js';
import { GATEWAY_ERROR } from '../mcp-errors.js';
import type { Supervisor } from '../../servers/supervision/supervisor.js';
import type { Upstream, UpstreamControls } from './upstream.js';

/** A built-in in-process MCP server: one connected client per gateway session, acting as the caller. */
export interface BuiltinServer {
  name: string;
  open(principal: Principal): Promise<Client>;
}

/** A managed server's one shared connection (from the supervisor), seen as an upstream. */
export function managedUpstream(name: string, conn: McpConnection): Upstream {
  const ctl = (c: UpstreamControls) => ({
    ...(c.signal ? { signal: c.signal } : {}),
    ...(c.onProgress ? { onProgress: c.onProgress } : {}),
    ...(c.owner ? { owner: c.owner } : {}),
  });
  return {
    name,
    kind: 'managed',
    capabilities: () => conn.capabilities(),
    serverInfo: () => conn.serverInfo(),
    instructions: () => conn.instructions(),
    listTools: () => conn.listTools(),
    listResources: () => conn.listResources(),
    listResourceTemplates: () => conn.listResourceTemplates(),
    listPrompts: () => conn.listPrompts(),
    callTool: (tool, args, c) => conn.callTool(tool, args, ctl(c)),
    readResource: (uri, c) => conn.readResource(uri, ctl(c)),
    getPrompt: (prompt, args, c) => conn.getPrompt(prompt, args, ctl(c)),
    complete: (params, c) => conn.complete(params, ctl(c)),
    forward: (request, sink, owner, timeoutMs, context) => conn.forward(request, sink, owner, timeoutMs, context),
  };
}

/** Every page of a paginated list. */
async function allPages<T>(fetch: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor?: string | undefined }>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await fetch(cursor);
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

/** A built-in server's client (one per session), seen as an upstream. */
export function builtinUpstream(name: string, client: Client): Upstream {
  const opts = (c: UpstreamControls) => ({
    ...(c.signal ? { signal: c.signal } : {}),
    ...(c.onProgress ? { onprogress: c.onProgress, resetTimeoutOnProgress: true } : {}),
  });
  return {
    name,
    kind: 'builtin',
    capabilities: () => client.getServerCapabilities(),
    serverInfo: () => client.getServerVersion(),
    instructions: () => client.getInstructions(),
    listTools: () => allPages(async (cursor) => {
      const r = await client.listTools(cursor ? { cursor } : undefined);
      return { items: r.tools, nextCursor: r.nextCursor };
    }),
    listResources: () => allPages(async (cursor) => {
      const r = await client.listResources(cursor ? { cursor } : undefined);
      return { items: r.resources, nextCursor: r.nextCursor };
    }),
    listResourceTemplates: () => allPages(async (cursor) => {
      const r = await client.listResourceTemplates(cursor ? { cursor } : undefined);
      return { items: r.resourceTemplates, nextCursor: r.nextCursor };
    }),
    listPrompts: () => allPages(async (cursor) => {
      const r = await client.listPrompts(cursor ? { cursor } : undefined);
      return { items: r.prompts, nextCursor: r.nextCursor };
    }),
    callTool: async (tool, args, c) => (await client.callTool({ name: tool, ...(args ? { arguments: args } : {}) }, opts(c))) as Awaited<ReturnType<Upstream['callTool']>>,
    readResource: (uri, c) => client.readResource({ uri }, opts(c)),
    getPrompt: (prompt, args, c) => client.getPrompt({ name: prompt, ...(args ? { arguments: args } : {}) }, opts(c)),
    complete: (params, c) => client.complete(params, opts(c)),
  };
}

/** One gateway session's own upstream (session mode per_session); `close` ends it (for stdio: stops its process). */
export interface SessionUpstream {
  upstream: Upstream;
  connection: McpConnection;
  close(): Promise<void>;
}

/** An open per-session upstream as the pool sees it. */
interface PoolSlot {
  busy: number;
  lastUsed: number;
  /** Closes it for room; its session opens a new one at its next request. */
  reclaim(): void;
}

/** Counts a call as in flight on `slot` while it runs. */
function tracked(u: Upstream, slot: PoolSlot): Upstream {
  const track =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      slot.busy++;
      slot.lastUsed = Date.now();
      try {
        return await fn(...a);
      } finally {
        slot.busy--;
        slot.lastUsed = Date.now();
      }
    };
  return {
    ...u,
    callTool: track(u.callTool),
    readResource: track(u.readResource),
    getPrompt: track(u.getPrompt),
    complete: track(u.complete),
    listTools: track(u.listTools),
    listResources: track(u.listResources),
    listResourceTemplates: track(u.listResourceTemplates),
    listPrompts: track(u.listPrompts),
  };
}

/**
 * The running managed servers' names, and their upstreams: the shared connection, or for a server in
 * session mode per_session one of its own per gateway session, at most `poolLimit` per server. At
 * the limit the least recently used one with no call in flight is closed for room (its session
 * opens a new one at its next request: clients that never end their sessions do not hold the pool
 * until the idle timeout); when every one is busy, a clear JSON-RPC error at once.
 */
export function createManagedSource(supervisor: Supervisor, opts: { poolLimit: number } = { poolLimit: 32 }) {
  const opening = new Map<string, number>();
  const slots = new Map<string, Set<PoolSlot>>();
  const reclaimIdle = (name: string): boolean => {
    const idle = [...(slots.get(name) ?? [])].filter((s) => s.busy === 0).sort((a, b) => a.lastUsed - b.lastUsed)[0];
    if (!idle) return false;
    slots.get(name)!.delete(idle);
    idle.reclaim();
    return true;
  };
  return {
    /** Whether gateway sessions on /mcp/{name} get an upstream session of their own. */
    perSession(name: string): boolean {
      return supervisor.has(name) && supervisor.sessionMode(name) === 'per_session';
    },
    async openSession(name: string, features: ClientFeatures, onLost: () => void): Promise<SessionUpstream> {
      const pending = opening.get(name) ?? 0;
      if (supervisor.sessionCount(name) + pending >= opts.poolLimit && !reclaimIdle(name)) {
        throw new ProtocolError(
          GATEWAY_ERROR,
          `MCP server "${name}" has ${opts.poolLimit} per-session connections open, its limit (MCPS_GATEWAY_SESSION_POOL), each with a call in flight: try again later`,
          { server: name, reason: 'session_pool_full', limit: opts.poolLimit },
        );
      }
      opening.set(name, pending + 1);
      try {
        let slot: PoolSlot | null = null;
        const instance = await supervisor.openSession(name, {
          clientFeatures: features,
          onLost: () => {
            if (slot) slots.get(name)?.delete(slot);
            onLost();
          },
        });
        slot = {
          busy: 0,
          lastUsed: Date.now(),
          reclaim: () => {
            onLost();
            void instance.teardown();
          },
        };
        let set = slots.get(name);
        if (!set) slots.set(name, (set = new Set()));
        set.add(slot);
        return {
          upstream: tracked(managedUpstream(name, instance.connection), slot),
          connection: instance.connection,
          close: () => {
            slots.get(name)?.delete(slot);
            return instance.teardown();
          },
        };
      } finally {
        const n = (opening.get(name) ?? 1) - 1;
        if (n <= 0) opening.delete(name);
        else opening.set(name, n);
      }
    },
    running(): string[] {
      return supervisor
        .list()
        .filter((s) => s.state === 'running')
        .map((s) => s.name);
    },
    has(name: string): boolean {
      return supervisor.has(name);
    },
    /** The server's per-request timeout (`timeout_ms`), the budget of a call made through the gateway. */
    timeoutMs(name: string): number | undefined {
      return supervisor.timeoutMs(name);
    },
    async get(name: string): Promise<Upstream> {
      return managedUpstream(name, await supervisor.connection(name));
    },
  };
}

export type ManagedSource = ReturnType<typeof createManagedSource>;
