import type { CallToolResult, GetPromptResult, ReadResourceResult } from '@modelcontextprotocol/client';
import { withCallContext } from '../../protocol-log/call-context.js';
import type { McpConnection } from './mcp-connection.js';
import { mapServerErrors } from '../server-error-map.js';
import type { ServerRow } from '../server.table.js';
import type { Supervisor } from '../supervision/supervisor.js';

export interface CapabilitiesView {
  server_info: { name: string; version: string; title?: string | undefined } | null;
  protocol_version: string | null;
  capabilities: Record<string, unknown>;
  instructions: string | null;
  tools: unknown[];
  resources: unknown[];
  resource_templates: unknown[];
  prompts: unknown[];
}

/** `user:<name>` or `api_key:<name>`: who a call is made for, as the protocol log records it. */
export type CallerLabel = string | null;

/**
 * Talking to a live server through its one shared connection. Each request runs in a call context,
 * so the protocol recorder attributes it (and its response) to the caller.
 */
export function createServerCalls(deps: { supervisor: Supervisor; find: (key: string) => Promise<ServerRow>; redact: (text: string) => string }) {
  const { supervisor } = deps;

  const run = async <T>(key: string, caller: CallerLabel, fn: (conn: McpConnection) => Promise<T>): Promise<T> => {
    const row = await deps.find(key);
    return mapServerErrors(() => withCallContext({ caller }, async () => fn(await supervisor.connection(row.name))));
  };

  return {
    /** The live server's tools, resources and prompts with their schemas (cached until list_changed). */
    capabilities: (key: string, caller: CallerLabel): Promise<CapabilitiesView> =>
      run(key, caller, async (conn) => {
        const caps = conn.capabilities() ?? {};
        const none = Promise.resolve([] as unknown[]);
        const [tools, resources, templates, prompts] = await Promise.all([
          caps.tools ? conn.listTools() : none,
          caps.resources ? conn.listResources() : none,
          caps.resources ? conn.listResourceTemplates().catch(() => [] as unknown[]) : none,
          caps.prompts ? conn.listPrompts() : none,
        ]);
        const info = conn.serverInfo();
        return {
          server_info: info ? { name: info.name, version: info.version, title: info.title } : null,
          protocol_version: conn.protocolVersion() ?? null,
          capabilities: caps as Record<string, unknown>,
          instructions: conn.instructions() ?? null,
          tools,
          resources,
          resource_templates: templates,
          prompts,
        };
      }),

    /** The tool's MCP result as is; a tool that fails answers `isError: true` (not an HTTP error). */
    callTool: (key: string, tool: string, args: Record<string, unknown> | undefined, caller: CallerLabel): Promise<CallToolResult> =>
      run(key, caller, (conn) => conn.callTool(tool, args)),

    readResource: (key: string, uri: string, caller: CallerLabel): Promise<ReadResourceResult> => run(key, caller, (conn) => conn.readResource(uri)),

    getPrompt: (key: string, name: string, args: Record<string, string> | undefined, caller: CallerLabel): Promise<GetPromptResult> =>
      run(key, caller, (conn) => conn.getPrompt(name, args)),
  };
}
