import { z } from 'zod';
import type { ServerScope } from '../../gateway/access/server-access.js';
import { AppError } from '../../http/app-error.js';
import type { ServersService } from '../../servers/servers.service.js';
import type { Operation } from './operation.js';

export const callToolParams = z.object({
  server: z.string().min(1).max(200).describe('The managed server (id or name)'),
  tool: z.string().min(1).max(256),
  inputs: z.array(z.record(z.string(), z.unknown())).min(1).max(10_000).describe('One item per element: the tool arguments of that call'),
});
type Params = z.infer<typeof callToolParams>;

/** The tool's text, cut for a summary. */
function textOf(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content.filter((c): c is { type: 'text'; text: string } => c?.type === 'text' && typeof c.text === 'string').map((c) => c.text).join('\n').slice(0, 1000);
}

/** An API key limited to some servers or tools reaches no other through a batch (answered as the REST face does). */
async function assertReachable(servers: Pick<ServersService, 'nameOf'>, p: Params, scope: ServerScope): Promise<void> {
  if (scope.servers === null) return;
  const name = await servers.nameOf(p.server);
  if (name === null || !scope.sees(name)) throw AppError.notFound('MCP server', p.server);
  if (!scope.mayCall(name, p.tool)) throw new AppError('forbidden', `tool '${p.tool}' of MCP server '${name}' is not allowed for this API key`);
}

/**
 * Calls a managed server's tool once per input, on its shared connection (the same path as
 * POST /tools/{id}/call). A result with isError fails the item (retried like any failure).
 */
export function callToolOperation(deps: { servers: Pick<ServersService, 'callTool' | 'nameOf'> }): Operation<Params, Record<string, unknown>> {
  return {
    name: 'call_tool',
    description: 'Call one tool of a managed server once per element of `inputs` (its arguments); an item result is the tool result summary.',
    params: callToolParams,
    permissions: ['servers:operate'],
    async expand(p, _caller, { scope }) {
      await assertReachable(deps.servers, p, scope);
      return p.inputs;
    },
    async run(p, args, { callerLabel, scope }) {
      await assertReachable(deps.servers, p, scope);
      const r = await deps.servers.callTool(p.server, p.tool, args, callerLabel);
      const text = textOf(r.content);
      if (r.isError) throw new Error(`the tool answered an error: ${text || 'no text'}`);
      return { text, ...(r.structuredContent ? { structured: r.structuredContent } : {}) };
    },
  };
}
