/**
 * DNS-rebinding and cross-site defence for the MCP endpoints (the Host header is checked for every
 * request by http/security.ts). A request without `Origin` (any non-browser client) passes; a
 * browser request passes only from an origin in CORS_ORIGINS or from this server's own origin.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, corsOrigins: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (corsOrigins.includes('*') || corsOrigins.includes(origin)) return true;
  if (origin === 'null' || !host) return false;
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}
