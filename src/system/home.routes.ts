import type { FastifyPluginAsync } from 'fastify';

/**
 * `/`: until the web UI lands, a plain page pointing at the API, its docs and the health check.
 */
export const homeRoutes: FastifyPluginAsync<{ projectName: string; apiPrefix: string; version: string }> = async (app, opts) => {
  const name = opts.projectName.replace(/[<>&"]/g, '');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${name}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>${name} <small style="color:#666">${opts.version}</small></h1>
<p>The MCP server management platform is running.</p>
<ul>
<li><a href="/docs">API documentation (Swagger UI)</a> and <a href="/redoc">ReDoc</a></li>
<li><a href="/openapi.json">OpenAPI document</a></li>
<li>API root: <code>${opts.apiPrefix}</code> — log in with <code>POST ${opts.apiPrefix}/auth/login</code></li>
<li><a href="/health">Liveness</a> and <a href="${opts.apiPrefix}/system/health">health</a></li>
</ul></body></html>
`;
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(html));
};
