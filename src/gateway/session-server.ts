import { Server, type Implementation, type ServerCapabilities } from '@modelcontextprotocol/server';
import { VERSION } from '../version.js';
import type { SessionRouter } from './session-router.js';
import type { UpstreamControls } from './upstream.js';

export interface SessionServerFace {
  /** What the session says it is: the gateway itself, or the upstream unchanged (per-server endpoint). */
  info?: Implementation | undefined;
  instructions?: string | undefined;
  /** For a per-server endpoint, the upstream's capabilities decide which lists exist. */
  upstreamCapabilities?: ServerCapabilities | undefined;
}

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
  const capabilities: ServerCapabilities = aggregate
    ? { tools: { listChanged: true }, resources: { listChanged: true }, prompts: { listChanged: true } }
    : {
        ...(up?.tools ? { tools: { listChanged: true } } : {}),
        ...(up?.resources ? { resources: { listChanged: true } } : {}),
        ...(up?.prompts ? { prompts: { listChanged: true } } : {}),
      };
  const server = new Server(face.info ?? { name: 'mcps-one-gateway', version: VERSION }, {
    capabilities,
    instructions: aggregate ? GATEWAY_INSTRUCTIONS : face.instructions,
  });

  const controls = (ctx: { mcpReq: { signal: AbortSignal; _meta?: { progressToken?: string | number } | undefined; notify: (n: { method: 'notifications/progress'; params: Record<string, unknown> }) => Promise<void> } }): UpstreamControls => {
    const token = ctx.mcpReq._meta?.progressToken;
    return {
      signal: ctx.mcpReq.signal,
      ...(token === undefined
        ? {}
        : {
            onProgress: (p) => {
              void ctx.mcpReq.notify({ method: 'notifications/progress', params: { ...p, progressToken: token } }).catch(() => {});
            },
          }),
    };
  };

  if (capabilities.tools) {
    server.setRequestHandler('tools/list', async () => ({ tools: (await router.listTools()).map((t) => ({ ...t.tool, name: t.exposed })) }));
    server.setRequestHandler('tools/call', async (req, ctx) =>
      router.callTool(req.params.name, req.params.arguments as Record<string, unknown> | undefined, controls(ctx as never)),
    );
  }
  if (capabilities.resources) {
    server.setRequestHandler('resources/list', async () => ({ resources: await router.listResources() }));
    server.setRequestHandler('resources/templates/list', async () => ({ resourceTemplates: await router.listResourceTemplates() }));
    server.setRequestHandler('resources/read', async (req, ctx) => router.readResource(req.params.uri, controls(ctx as never)));
  }
  if (capabilities.prompts) {
    server.setRequestHandler('prompts/list', async () => ({ prompts: await router.listPrompts() }));
    server.setRequestHandler('prompts/get', async (req, ctx) =>
      router.getPrompt(req.params.name, req.params.arguments as Record<string, string> | undefined, controls(ctx as never)),
    );
  }
  return server;
}
