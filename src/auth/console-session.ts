import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The console's session cookie: the access token, HttpOnly, sent by the browser to the API only. */
export const SESSION_COOKIE = 'mcps_session';
/** The header that carries the CSRF token on unsafe requests authenticated by the cookie. */
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cookie sessions for the web console. The cookie holds the same access token a bearer client gets
 * (so `pwd` revocation, expiry and disabled users apply unchanged); page scripts cannot read it. The CSRF
 * token is an HMAC of that token under a key derived from SECRET_KEY: bound to the session, stateless,
 * and useless to a page that cannot read the response of `GET /auth/session`.
 */
export function createConsoleSession(secretKey: string, opts: { apiPrefix: string }) {
  const key = createHash('sha256').update(`mcps-one/csrf/v1\0${secretKey}`).digest();
  const csrfTokenOf = (accessToken: string): string => createHmac('sha256', key).update(accessToken).digest('base64url');

  return {
    csrfTokenOf,

    /** The access token of the request's session cookie, or null. */
    tokenOf(request: FastifyRequest): string | null {
      const value = request.cookies?.[SESSION_COOKIE];
      return value ? value : null;
    },

    /** True when the cookie is what authenticates the request (an Authorization or X-API-Key header wins over it). */
    authenticatedByCookie(request: FastifyRequest): boolean {
      return this.tokenOf(request) !== null && !request.headers.authorization && !request.headers['x-api-key'];
    },

    /** True when the request may use its cookie: a safe method, or the session's CSRF token in the header. */
    csrfOk(request: FastifyRequest, accessToken: string): boolean {
      if (SAFE_METHODS.has(request.method)) return true;
      const given = request.headers[CSRF_HEADER];
      if (typeof given !== 'string') return false;
      const expected = Buffer.from(csrfTokenOf(accessToken));
      const actual = Buffer.from(given);
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },

    set(request: FastifyRequest, reply: FastifyReply, accessToken: string, maxAgeSeconds: number): void {
      void reply.setCookie(SESSION_COOKIE, accessToken, { ...cookieOptions(request, opts.apiPrefix), maxAge: maxAgeSeconds });
    },

    clear(request: FastifyRequest, reply: FastifyReply): void {
      void reply.clearCookie(SESSION_COOKIE, cookieOptions(request, opts.apiPrefix));
    },
  };
}

export type ConsoleSession = ReturnType<typeof createConsoleSession>;

/** Strict: never sent on a cross-site request; Secure whenever the request came over https (TRUST_PROXY honoured). */
function cookieOptions(request: FastifyRequest, apiPrefix: string) {
  return { path: apiPrefix, httpOnly: true, sameSite: 'strict' as const, secure: request.protocol === 'https' };
}
