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
  const ctl = (c: UpstreamControls) => ({ ...(c.signal ? { signal: c.signal } : {}), ...(c.onProgress ? { onProgress: c.onProgress } : {}) });
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

/**
 * The running managed servers' names, and their upstreams: the shared connection, or for a server in
 * session mode per_session one of its own per gateway session, at most `poolLimit` per server (past
 * it a clear JSON-RPC error, at once).
 */
export function createManagedSource(supervisor: Supervisor, opts: { poolLimit: number } = { poolLimit: 32 }) {
  const opening = new Map<string, number>();
  return {
    /** Whether gateway sessions on /mcp/{name} get an upstream session of their own. */
    perSession(name: string): boolean {
      return supervisor.has(name) && supervisor.sessionMode(name) === 'per_session';
    },
    async openSession(name: string, features: ClientFeatures, onLost: () => void): Promise<SessionUpstream> {
      const pending = opening.get(name) ?? 0;
      if (supervisor.sessionCount(name) + pending >= opts.poolLimit) {
        throw new ProtocolError(
          GATEWAY_ERROR,
          `MCP server "${name}" has ${opts.poolLimit} per-session connections open, its limit (MCPS_GATEWAY_SESSION_POOL): close a session or try again later`,
          { server: name, reason: 'session_pool_full', limit: opts.poolLimit },
        );
      }
      opening.set(name, pending + 1);
      try {
        const instance = await supervisor.openSession(name, { clientFeatures: features, onLost });
        return { upstream: managedUpstream(name, instance.connection), connection: instance.connection, close: () => instance.teardown() };
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
    async get(name: string): Promise<Upstream> {
      return managedUpstream(name, await supervisor.connection(name));
    },
  };
}

export type ManagedSource = ReturnType<typeof createManagedSource>;
