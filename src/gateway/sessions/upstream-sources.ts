import type { Client } from '@modelcontextprotocol/client';
import type { Principal } from '../../auth/principal.js';
import type { McpConnection } from '../../servers/connection/mcp-connection.js';
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

/** The running managed servers' names, and their upstreams. */
export function createManagedSource(supervisor: Supervisor) {
  return {
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
