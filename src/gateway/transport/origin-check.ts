/**
 * DNS-rebinding and cross-site defence for the MCP endpoints (the Host header is checked for every
 * request by http/security.ts). A request without `Origin` (any non-browser client) passes; a
 * browser request passes only from an origin in CORS_ORIGINS (`*`: any) or from this server's own
 * origin. Origins compare as scheme, host and port (`http://localhost:8000` is not
 * `https://localhost:8000`); only http and https origins count, so `null` (a file: page, a sandboxed
 * frame) never matches. `scheme` is the request's own (`http` / `https`, as Fastify reports it).
 */
export function originAllowed(origin: string | undefined, host: string | undefined, corsOrigins: readonly string[], scheme: string): boolean {
  if (origin === undefined) return true;
  if (corsOrigins.includes('*')) return true;
  const given = webOrigin(origin);
  if (!given) return false;
  if (corsOrigins.some((o) => webOrigin(o) === given)) return true;
  return host !== undefined && webOrigin(`${scheme}://${host}`) === given;
}

/** `scheme://host[:port]` as browsers serialise it (lower case, default port dropped), or null for anything else. */
function webOrigin(text: string): string | null {
  try {
    const u = new URL(text);
    const bare = u.pathname === '/' && !u.search && !u.hash && !u.username && !u.password;
    return bare && (u.protocol === 'http:' || u.protocol === 'https:') ? u.origin : null;
  } catch {
    return null;
  }
}
