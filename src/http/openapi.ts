import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { MAX_JSON_DEPTH } from '../lib/json-depth.js';
import { declareResponses } from './openapi-responses.js';

const require = createRequire(import.meta.url);

/**
 * OpenAPI 3.1 generated from the routes' zod schemas: /openapi.json, Swagger UI at /docs, ReDoc at
 * /redoc (served from the installed `redoc` package, no CDN).
 */
export async function registerOpenApi(app: FastifyInstance, opts: { title: string; version: string; apiPrefix: string }): Promise<void> {
  // Each operation carries its declared auth as `x-permission` (a permission, 'authenticated' or 'public'),
  // so clients and the security suite read who may call it from the document; routes that need a
  // credential also say so as `security`; every documented route states its answers.
  app.addHook('onRoute', (route) => {
    declareResponses(route);
    const auth = route.config?.auth;
    if (auth === undefined) return;
    const security = auth === 'public' ? {} : auth === 'receiver' ? { security: [{ receiverToken: [] }, { receiverSignature: [] }] } : { security: [{ bearerAuth: [] }, { apiKeyHeader: [] }] };
    // `x-` keys pass through @fastify/swagger into the operation; FastifySchema does not type them.
    route.schema = { ...route.schema, 'x-permission': auth, ...security } as unknown as typeof route.schema;
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: `${opts.title} API`,
        version: opts.version,
        description:
          'Authenticate with `POST ' + opts.apiPrefix + '/auth/login` and send `Authorization: Bearer <access_token>`, ' +
          'or send an API key as `Authorization: Bearer mcps_...` or `X-API-Key: mcps_...`. Errors are application/problem+json ' +
          '(every operation lists the ones it can answer). JSON bodies may nest at most ' + MAX_JSON_DEPTH + ' levels deep.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'JWT from /auth/login, or an API key' },
          apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          receiverToken: { type: 'http', scheme: 'bearer', description: "Webhooks (x-permission: receiver): the alert receiver's own token, not a user's" },
          receiverSignature: { type: 'apiKey', in: 'header', name: 'X-Signature', description: "Webhooks: HMAC-SHA256 of the raw body (or of '<timestamp>.<body>') with the receiver's key, hex" },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: false });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const redocBundle = require.resolve('redoc/bundles/redoc.standalone.js');
  app.get('/redoc', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(REDOC_HTML(opts.title)),
  );
  app.get('/redoc/redoc.standalone.js', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(readFileSync(redocBundle)),
  );
  app.get('/redoc/init.js', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('application/javascript; charset=utf-8').send(`Redoc.init('/openapi.json', {}, document.getElementById('redoc'));\n`),
  );
}

const REDOC_HTML = (title: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title.replace(/[<>&"]/g, '')} API (ReDoc)</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><div id="redoc"></div>
<script src="/redoc/redoc.standalone.js"></script>
<script src="/redoc/init.js"></script>
</body></html>
`;
