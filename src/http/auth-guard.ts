import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService } from '../auth/auth.service.js';
import type { BearerTokens } from '../auth/oauth/bearer-tokens.js';
import { CSRF_HEADER, type ConsoleSession } from '../auth/console-session.js';
import { roleHas } from '../auth/permissions.js';
import { AppError } from './app-error.js';
import type { RouteAuth } from './route-config.js';

/**
 * Authenticates every request that carries a credential and enforces each route's declared `auth`.
 * Credentials: `Authorization: Bearer <jwt or API key>` or `X-API-Key: <key>`; else, for the API, the
 * console's session cookie, which an unsafe method may use only with the session's CSRF token.
 */
export function registerAuthGuard(
  app: FastifyInstance,
  deps: { auth: AuthService; apiPrefix: string; session: ConsoleSession; bearer?: Pick<BearerTokens, 'authenticate'> | null },
): void {
  app.decorateRequest('principal', null);

  // Refuse to start if any API route forgot to say who may call it.
  app.addHook('onRoute', (route) => {
    const url = route.url ?? route.path;
    if (url.startsWith(deps.apiPrefix) && route.config?.auth === undefined) {
      throw new Error(`route ${String(route.method)} ${url} declares no auth (config.auth)`);
    }
  });

  // API answers carry credentials (login tokens, keys and secret values shown once) or per-user data:
  // no cache, shared or private, may keep them. A route that sets its own Cache-Control keeps it.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.routeOptions.url?.startsWith(deps.apiPrefix) && !reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  app.addHook('onRequest', async (request) => {
    const required: RouteAuth | undefined = request.routeOptions.config.auth;
    if (required === undefined || required === 'public' || required === 'receiver') return;
    const credential = credentialOf(request) ?? cookieCredential(request);
    if (!credential) throw new AppError('unauthorized', 'authentication required');
    // OAuth access tokens on the gateway's resources (`/mcp`, `/mcp/{server}`); anything else as before.
    const oauth = deps.bearer ? await deps.bearer.authenticate(credential, { path: request.url, ip: request.ip, requestId: request.id }) : null;
    request.principal = oauth ?? (await deps.auth.authenticate(credential));
    if (required !== 'authenticated' && !roleHas(request.principal.role, required)) {
      throw new AppError('forbidden', `role '${request.principal.role}' lacks permission '${required}'`);
    }
  });

  function cookieCredential(request: FastifyRequest): string | null {
    const token = deps.session.tokenOf(request);
    if (!token) return null;
    if (!deps.session.csrfOk(request, token)) {
      throw new AppError('forbidden', `a request authenticated by the session cookie must send the ${CSRF_HEADER} header (from GET ${deps.apiPrefix}/auth/session)`);
    }
    return token;
  }
}

/** The bearer credential (JWT or API key) of a request, or `X-API-Key`; null when there is none. */
export function credentialOf(request: Pick<FastifyRequest, 'headers'>): string | null {
  const header = request.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new AppError('unauthorized', 'Authorization header must be "Bearer <token>"');
    return m[1]!;
  }
  const key = request.headers['x-api-key'];
  if (typeof key === 'string' && key.length > 0) return key.trim();
  return null;
}
