import { fromBody } from '../http/audit-target.js';
import { credentialOf } from '../http/auth-guard.js';
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problems } from '../http/problem.schema.js';
import { loginBody, meResponse } from './auth.schema.js';
import type { AuthService } from './auth.service.js';
import type { ConsoleSession } from './console-session.js';
import { permissionsOf } from './permissions.js';
import type { Principal } from './principal.js';

export interface SessionRoutesOptions {
  auth: AuthService;
  session: ConsoleSession;
  loginMaxPerMinute: number;
}

const sessionResponse = z.object({
  csrf_token: z.string().nullable().describe('Send it as the X-CSRF-Token header on every POST, PUT, PATCH and DELETE; null when the request was not authenticated by the session cookie (bearer clients need none)'),
  expires_in: z.number().optional().describe('Seconds until the session ends (on sign-in only)'),
  me: meResponse,
});

/**
 * The web console's cookie session (docs/SECURITY.md): sign in sets an HttpOnly, SameSite=Strict cookie
 * holding an access token; the CSRF token comes with it and again from `GET /auth/session` after a reload.
 */
export const sessionRoutes: FastifyPluginAsyncZod<SessionRoutesOptions> = async (app, opts) => {
  const tags = ['auth'];
  await app.register(rateLimit, { global: false });

  app.post('/auth/session', {
    config: {
      auth: 'public',
      audit: { action: 'auth.login', target: { type: 'user', id: fromBody('username') } },
      rateLimit: { max: opts.loginMaxPerMinute, timeWindow: '1 minute' },
    },
    schema: {
      tags,
      summary: 'Sign in to the web console (sets the HttpOnly session cookie)',
      body: loginBody,
      response: { 200: sessionResponse, ...problems('unauthorized', 'rate_limited') },
    },
  }, async (req, reply) => {
    const { access_token, expires_in } = await opts.auth.login(req.body.username, req.body.password, req.ip);
    const p = await opts.auth.authenticate(access_token);
    opts.session.set(req, reply, access_token, expires_in);
    return { csrf_token: opts.session.csrfTokenOf(access_token), expires_in, me: meOf(p) };
  });

  app.get('/auth/session', {
    config: { auth: 'authenticated' },
    schema: { tags, summary: 'The console session: who is signed in and the CSRF token', response: { 200: sessionResponse, ...problems('unauthorized') } },
  }, async (req) => {
    const token = opts.session.authenticatedByCookie(req) ? opts.session.tokenOf(req) : null;
    return { csrf_token: token && opts.session.csrfTokenOf(token), me: meOf(req.principal!) };
  });

  app.delete('/auth/session', {
    config: { auth: 'public', audit: { action: 'auth.logout', target: { type: 'user', id: ({ request }) => request.principal?.userId ?? null } } },
    schema: { tags, summary: 'Sign out of the web console (clears the session cookie)', response: { 204: z.null() } },
  }, async (req, reply) => {
    // Public (a stale cookie must still be cleared); the operation log names who signed out when the cookie is still valid.
    const token = opts.session.tokenOf(req) ?? credentialOf(req);
    if (token) req.principal = await opts.auth.authenticate(token).catch(() => null);
    opts.session.clear(req, reply);
    return reply.status(204).send(null);
  });
};

/** The `GET /auth/me` view of a principal. */
export function meOf(p: Principal): z.infer<typeof meResponse> {
  return { type: p.type, id: p.id, name: p.name, role: p.role, user_id: p.userId, permissions: permissionsOf(p.role) };
}
