import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../../http/app-error.js';
import { problems } from '../../http/problem.schema.js';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import type { AuthorizationServer } from './authorization-server.js';
import type { McpResources } from './mcp-resources.js';
import { MCP_SCOPE, RESOURCE_SCOPES } from './mcp-resources.js';
import { REQUEST_ID, type TaggedRequest } from './oauth-audit.js';
import { OAUTH_MOUNT } from './oauth-provider.js';
import { AUTHORIZATION_SERVER_ROUTES, protectedResourceMetadata } from './oauth.schema.js';

export interface OAuthRouteDeps {
  /** The platform's own authorization server; null when MCPS_OAUTH_SERVER=false. */
  server: AuthorizationServer | null;
  resources: McpResources;
  /** Issuers clients are sent to for tokens (the delegated one first, then the platform's own). */
  authorizationServers: readonly string[];
  resourceName: string;
}

/**
 * The OAuth face of the platform outside /api: Protected Resource Metadata (RFC 9728) for `/mcp` and
 * each `/mcp/{server}`, the Authorization Server Metadata (RFC 8414) at its path-inserted address, and
 * the authorization server itself under `/oauth` (oidc-provider, handed the raw request).
 */
export async function oauthRoutes(root: FastifyInstance, deps: OAuthRouteDeps): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { resources } = deps;
  const tags = ['oauth'];
  const prm = (resource: string) => ({
    resource,
    authorization_servers: [...deps.authorizationServers],
    scopes_supported: [...RESOURCE_SCOPES],
    bearer_methods_supported: ['header'],
    resource_name: deps.resourceName,
  });

  const prmSchema = { tags, summary: 'OAuth Protected Resource Metadata of the gateway (RFC 9728)', response: { 200: protectedResourceMetadata } };
  app.get('/.well-known/oauth-protected-resource', { config: { auth: 'public' }, schema: prmSchema }, async () => prm(`${resources.base}/mcp`));
  app.get('/.well-known/oauth-protected-resource/mcp', { config: { auth: 'public' }, schema: prmSchema }, async () => prm(`${resources.base}/mcp`));
  app.get('/.well-known/oauth-protected-resource/mcp/:server', {
    config: { auth: 'public' },
    schema: {
      ...prmSchema,
      summary: 'OAuth Protected Resource Metadata of one server of the gateway (RFC 9728)',
      params: z.object({ server: z.string().max(64) }),
      response: { ...prmSchema.response, ...problems('not_found') },
    },
  }, async (request) => {
    const resource = resources.resourceOfPath(`/mcp/${request.params.server}`);
    if (!resource) throw new AppError('not_found', 'not an MCP server name');
    return prm(resource);
  });

  const server = deps.server;
  if (!server) return;
  const callbacks = new WeakMap<object, ReturnType<Provider['callback']>>();
  const callbackOf = (provider: Provider) => {
    let callback = callbacks.get(provider);
    if (!callback) callbacks.set(provider, (callback = provider.callback()));
    return callback;
  };

  /**
   * Runs the provider on the raw request at `path` (below the mount), keeping the app's headers. The
   * provider is built on the first request; if it cannot be (signing keys unreadable) the request gets
   * a 503 saying why, and everything outside OAuth keeps serving.
   */
  const handOver = async (request: FastifyRequest, reply: FastifyReply, path: string) => {
    const callback = callbackOf(await server.get());
    const raw = request.raw as TaggedRequest & { originalUrl?: string };
    raw.originalUrl = `${OAUTH_MOUNT}${path}`;
    raw.url = path;
    raw[REQUEST_ID] = request.id;
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value as string);
    reply.raw.setHeader('content-security-policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    reply.hijack();
    callback(raw, reply.raw);
  };

  // The provider reads its own bodies (forms, JSON for registration): nothing is parsed here. The
  // endpoints a client calls directly are documented (public; their schemas document, the provider
  // validates); the rest of /oauth (authorization, interactions' redirects, discovery aliases) is not.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    const documentOnly = () => (value: unknown) => ({ value });
    for (const route of AUTHORIZATION_SERVER_ROUTES) {
      // RFC 8414 section 3: the metadata of issuer `<base>/oauth` is at `/.well-known/oauth-authorization-server/oauth`.
      const query = (request: FastifyRequest) => (request.raw.url!.includes('?') ? request.raw.url!.slice(request.raw.url!.indexOf('?')) : '');
      scope.route({
        method: route.method,
        url: route.url,
        config: { auth: 'public' },
        schema: route.schema,
        validatorCompiler: documentOnly,
        handler: async (request, reply) => {
          await handOver(request, reply, `${route.path}${query(request)}`);
          return reply;
        },
      });
    }
    scope.route({
      method: ['GET', 'POST', 'PUT', 'DELETE'],
      url: `${OAUTH_MOUNT}/*`,
      schema: { hide: true },
      handler: async (request, reply) => {
        await handOver(request, reply, withDefaultScope(request.raw.url!.slice(OAUTH_MOUNT.length) || '/'));
        return reply;
      },
    });
  });
}

/**
 * An authorization request without `scope` (the MCP Inspector sends none when the metadata names no
 * scope it reads) asks for `mcp`: without any scope the grant would be empty and the provider answers
 * access_denied after the person has signed in. `mcp` is the narrowest scope that reaches the gateway.
 */
export function withDefaultScope(path: string): string {
  if (!path.startsWith('/auth?')) return path;
  const params = new URLSearchParams(path.slice('/auth?'.length));
  if (params.has('scope')) return path;
  params.set('scope', MCP_SCOPE);
  return `/auth?${params.toString()}`;
}
