import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { AuthService } from '../auth/auth.service.js';
import { roleHas } from '../auth/permissions.js';
import { requireEveryServer, type ServerAccess } from '../gateway/access/server-access.js';
import { AppError } from '../http/app-error.js';
import { credentialOf } from '../http/auth-guard.js';
import type { Prometheus } from './prometheus.js';

export interface PrometheusRoutesDeps {
  prometheus: Prometheus;
  auth: Pick<AuthService, 'authenticate'>;
  /** An API key limited to some servers may not read /metrics, which labels every server. */
  access: Pick<ServerAccess, 'scopeFor'>;
  /** MCPS_METRICS_TOKEN; unset: only API keys and tokens with system:read. */
  token: string | undefined;
}

/**
 * `/metrics` in the Prometheus text format. Needs `Authorization: Bearer <MCPS_METRICS_TOKEN>`
 * (compared in constant time) or an API key / access token whose role holds `system:read`.
 */
export const prometheusRoutes: FastifyPluginAsync<PrometheusRoutesDeps> = async (app, deps) => {
  const expected = deps.token ? digest(deps.token) : null;

  const authorize = async (request: FastifyRequest): Promise<void> => {
    const credential = credentialOf(request);
    if (!credential) throw new AppError('unauthorized', 'metrics need a credential: Authorization: Bearer <MCPS_METRICS_TOKEN or an API key with system:read>');
    if (expected && timingSafeEqual(digest(credential), expected)) return;
    const principal = await deps.auth.authenticate(credential);
    if (!roleHas(principal.role, 'system:read')) throw new AppError('forbidden', `role '${principal.role}' lacks permission 'system:read'`);
    requireEveryServer(await deps.access.scopeFor(principal), '/metrics');
  };

  app.get('/metrics', { config: { auth: 'public' }, schema: { hide: true } }, async (request, reply) => {
    try {
      await authorize(request);
    } catch (err) {
      if (err instanceof AppError && err.status === 401) void reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw err;
    }
    const body = await deps.prometheus.render();
    return reply.type(deps.prometheus.contentType).header('cache-control', 'no-store').send(body);
  });
};

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
