import { z } from 'zod';
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

/**
 * Calls a managed server's tool once per input, on its shared connection (the same path as
 * POST /tools/{id}/call). A result with isError fails the item (retried like any failure).
 */
export function callToolOperation(deps: { servers: Pick<ServersService, 'callTool'> }): Operation<Params, Record<string, unknown>> {
  return {
    name: 'call_tool',
    description: 'Call one tool of a managed server once per element of `inputs` (its arguments); an item result is the tool result summary.',
    params: callToolParams,
    permissions: ['servers:operate'],
    expand: async (p) => p.inputs,
    async run(p, args, { callerLabel }) {
      const r = await deps.servers.callTool(p.server, p.tool, args, callerLabel);
      const text = textOf(r.content);
      if (r.isError) throw new Error(`the tool answered an error: ${text || 'no text'}`);
      return { text, ...(r.structuredContent ? { structured: r.structuredContent } : {}) };
    },
  };
}
