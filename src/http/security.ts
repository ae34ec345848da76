import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import { AppError } from './app-error.js';

/**
 * Cross-cutting protections: Host allowlist (DNS-rebinding defence), CORS (CORS_ORIGINS, or a function
 * read on every request so the origins can change at run time), and
 * security headers (nosniff, frame-ancestors 'none', no-referrer).
 */
export async function registerSecurity(
  app: FastifyInstance,
  opts: { allowedHosts: readonly string[]; corsOrigins: readonly string[] | (() => readonly string[]) },
): Promise<SecurityRules> {
  const allowAnyHost = opts.allowedHosts.includes('*');
  const allowed = new Set(opts.allowedHosts);
  const hostAllowed = (hostHeader: string | undefined) => {
    if (allowAnyHost) return true;
    const host = hostnameOf(hostHeader);
    return host !== null && allowed.has(host);
  };

  // Synchronous hooks (`done`): no promise and no microtask on every request.
  app.addHook('onRequest', (request, _reply, done) => {
    if (hostAllowed(request.headers.host)) return done();
    done(new AppError('bad_request', `Host '${request.headers.host ?? ''}' is not allowed (ALLOWED_HOSTS)`));
  });

  const headers = securityHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // Swagger UI and ReDoc use inline styles; scripts stay same-origin.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        workerSrc: ["'self'", 'blob:'],
        frameAncestors: ["'none'"],
        // Plain-HTTP installs on a LAN must keep loading their own assets.
        upgradeInsecureRequests: null,
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: false,
  });
  app.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers);
    done();
  });

  // Origins may change at run time (the `cors.origins` setting): options are rebuilt when the list does.
  const originsOf = typeof opts.corsOrigins === 'function' ? opts.corsOrigins : () => opts.corsOrigins as readonly string[];
  let cached: { list: readonly string[]; options: FastifyCorsOptions } | null = null;
  const optionsFor = (list: readonly string[]): FastifyCorsOptions => {
    if (cached?.list !== list) {
      cached = {
        list,
        options: {
          origin: list.includes('*') ? true : [...list],
          credentials: !list.includes('*'),
          exposedHeaders: ['x-request-id', 'retry-after'],
        },
      };
    }
    return cached.options;
  };
  await app.register(cors, {
    delegator: (req: { url?: string }, cb: (err: Error | null, options: FastifyCorsOptions) => void) =>
      cb(null, isPublicOAuthPath(req.url ?? '') ? PUBLIC_OAUTH_CORS : optionsFor(originsOf())),
  } as FastifyCorsOptions);

  // What the hooks above add to a request that sends no Origin (as @fastify/cors does: Vary, credentials, exposed headers).
  let plain: { options: FastifyCorsOptions; headers: Readonly<Record<string, string>> } | null = null;
  const headersWithoutOrigin = () => {
    const options = optionsFor(originsOf());
    if (plain?.options !== options) {
      const exposed = (options.exposedHeaders as string[]).join(', ');
      plain = { options, headers: { ...headers, vary: 'Origin', ...(options.credentials ? { 'access-control-allow-credentials': 'true' } : {}), 'access-control-expose-headers': exposed } };
    }
    return plain.headers;
  };
  return { hostAllowed, headersWithoutOrigin };
}

/** The app-wide rules, for a route served outside Fastify's pipeline (src/gateway/transport/session-post-shortcut.ts). */
export interface SecurityRules {
  /** Whether a Host header passes the ALLOWED_HOSTS check. */
  hostAllowed(hostHeader: string | undefined): boolean;
  /** The security and CORS headers of a request with no Origin header, as the hooks set them. */
  headersWithoutOrigin(): Readonly<Record<string, string>>;
}

/**
 * The authorization server's public endpoints, read by browser-based MCP clients (the MCP Inspector
 * discovers and registers from its own origin): any origin, never with cookies. The sign-in and
 * consent pages are navigations, not fetches, and keep the platform's rules.
 */
const PUBLIC_OAUTH_CORS: FastifyCorsOptions = {
  origin: '*',
  credentials: false,
  methods: ['GET', 'POST'],
  allowedHeaders: ['authorization', 'content-type', 'mcp-protocol-version'],
  exposedHeaders: ['www-authenticate'],
};
const PUBLIC_OAUTH_PATH = /^(?:\/\.well-known\/(?:oauth-protected-resource|oauth-authorization-server|openid-configuration)(?:\/[^?]*)?|\/oauth\/(?:token|token\/revocation|reg|jwks))(?:\?.*)?$/;

export function isPublicOAuthPath(url: string): boolean {
  return PUBLIC_OAUTH_PATH.test(url);
}

/**
 * The host of a Host header (`host[:port]`, RFC 9110): `example.com:8000` -> `example.com`,
 * `[::1]:8000` -> `[::1]`; lower case. Null for anything else (`localhost:1@evil.com`, a port that
 * is not a number, userinfo, a path, an unbracketed IPv6 address): such a Host is refused.
 */
export function hostnameOf(hostHeader: string | undefined): string | null {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{0,5}))?$/i.exec(hostHeader?.trim() ?? '');
  if (!m || Number(m[2] ?? 0) > 65535) return null;
  const host = m[1]!.toLowerCase();
  if (host.startsWith('[') && isIP(host.slice(1, -1)) !== 6) return null;
  return host;
}

/**
 * helmet's headers, computed once. (Running helmet per request, as @fastify/helmet does, rebuilt the
 * whole policy on every request and cost more than the rest of a small request together.)
 */
function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: () => {},
  } as unknown as ServerResponse;
  helmet(options)({} as never, res, () => {});
  return headers;
}
