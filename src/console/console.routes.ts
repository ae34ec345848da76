import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../http/app-error.js';
import { sendProblem } from '../http/error-handler.js';
import { CONSOLE_CSP } from './console-csp.js';

export interface ConsoleRoutesOptions {
  projectName: string;
  apiPrefix: string;
  version: string;
  /** The built console (index.html and assets/); default: dist/web beside the compiled or source tree. */
  webRoot?: string;
}

/** Paths that belong to the API and tools, never to the console's client-side routes. */
const NOT_CONSOLE = ['/mcp', '/sse', '/messages', '/docs', '/redoc', '/openapi.json', '/metrics', '/health', '/assets/'];

/**
 * The web console at `/`: the built single-page app (web/, built into dist/web by `npm run build`),
 * under a strict Content-Security-Policy. Client routes (`/servers/x`) get index.html; API and tool paths
 * keep their problem+json 404. Without a build, `/` says how to make one.
 */
export const consoleRoutes: FastifyPluginAsync<ConsoleRoutesOptions> = async (app, opts) => {
  const root = opts.webRoot ?? findWebRoot();
  if (!root) {
    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(notBuiltPage(opts)));
    return;
  }
  // The page tells the client where the API is (API_PREFIX may differ from the built default).
  const index = readFileSync(path.join(root, 'index.html'), 'utf8').replace(
    '<meta name="api-prefix" content="/api/v1"',
    `<meta name="api-prefix" content="${opts.apiPrefix.replace(/[<>&"]/g, '')}"`,
  );
  const reserved = [opts.apiPrefix, ...NOT_CONSOLE];

  app.addHook('onRequest', async (_request, reply) => {
    void reply.header('content-security-policy', CONSOLE_CSP);
  });
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    index: false,
    cacheControl: false,
    setHeaders: (res, file) => {
      // Vite names assets by content hash: they never change under one name.
      res.setHeader('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });

  const sendIndex = (request: FastifyRequest, reply: FastifyReply) => {
    const url = request.url.split('?')[0]!;
    if (reserved.some((p) => url === p || url.startsWith(p.endsWith('/') ? p : `${p}/`))) {
      return sendProblem(request, reply, new AppError('not_found', `route ${request.method} ${url} not found`));
    }
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
  };
  app.get('/', { schema: { hide: true } }, sendIndex);
  app.get('/*', { schema: { hide: true } }, sendIndex);
};

function findWebRoot(): string | null {
  // dist/console/ -> dist/web; src/console/ (tsx, tests) -> dist/web.
  const candidates = [path.resolve(import.meta.dirname, '../web'), path.resolve(import.meta.dirname, '../../dist/web')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? null;
}

function notBuiltPage(opts: ConsoleRoutesOptions): string {
  const name = opts.projectName.replace(/[<>&"]/g, '');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${name}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<h1>${name} ${opts.version}</h1>
<p>The web console is not built: run <code>npm run build</code>, then restart.</p>
<ul>
<li><a href="/docs">API documentation (Swagger UI)</a> and <a href="/redoc">ReDoc</a></li>
<li>API root: <code>${opts.apiPrefix}</code></li>
<li><a href="/health">Liveness</a></li>
</ul></body></html>
`;
}
