import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerScope } from '../gateway/access/server-access.js';
import { AppError } from './app-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The servers the caller may see (an API key's allowlists), set before every API handler; services filter by it. */
    serverScope: ServerScope;
  }
}

export interface ServerScopeDeps {
  apiPrefix: string;
  scopeFor(principal: FastifyRequest['principal']): Promise<ServerScope>;
  /** The name of the server a route param names: `tool_id` (id or name), `publication_id` (its server). */
  serverNamedBy(param: 'tool_id' | 'publication_id', value: string): Promise<string | null>;
}

/**
 * Binds every API route to the caller's server allowlist, in one place: a route whose path names a
 * server (`:tool_id`) or a server's publication (`:publication_id`) answers 404 for a server the
 * caller may not see, as for one that does not exist; a `tool` in its body must be allowed too.
 * Creating, importing and exporting definitions (no server named) is refused to a limited caller.
 * Lists read `request.serverScope` through their services.
 */
export function registerServerScope(app: FastifyInstance, deps: ServerScopeDeps): void {
  app.decorateRequest('serverScope', null as unknown as ServerScope);
  app.addHook('preHandler', async (request) => {
    if (!request.routeOptions.url?.startsWith(deps.apiPrefix)) return;
    const scope = await deps.scopeFor(request.principal);
    request.serverScope = scope;
    if (scope.servers === null) return;
    const params = (request.params ?? {}) as Record<string, unknown>;
    const param = (['tool_id', 'publication_id'] as const).find((p) => typeof params[p] === 'string');
    if (param === undefined) {
      if (request.routeOptions.config.auth === 'servers:write') {
        throw new AppError('forbidden', 'this API key is limited to some MCP servers; it cannot create, import or export server definitions');
      }
      return;
    }
    const name = await deps.serverNamedBy(param, params[param] as string);
    // A server that does not exist (or a publication of the gateway): the route answers for itself.
    if (name === null) return;
    if (!scope.sees(name)) throw AppError.notFound(param === 'tool_id' ? 'MCP server' : 'publication', params[param] as string);
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body['tool'] === 'string' && !scope.mayCall(name, body['tool'])) {
      throw new AppError('forbidden', `tool '${body['tool']}' of MCP server '${name}' is not allowed for this API key`);
    }
    if (request.routeOptions.config.auth === 'servers:write' && typeof body['name'] === 'string' && !scope.sees(body['name'])) {
      throw new AppError('forbidden', `MCP server name '${body['name']}' is outside this API key's allowlist`);
    }
  });
}
