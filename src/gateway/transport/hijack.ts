import type { FastifyReply } from 'fastify';

/**
 * Hands the raw response to an SDK transport, keeping the headers Fastify's hooks already set
 * (request id, security headers, CORS). A browser client allowed by CORS_ORIGINS also gets to read
 * the MCP session and protocol headers.
 */
export function hijackWithHeaders(reply: FastifyReply): void {
  const headers = reply.getHeaders();
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) reply.raw.setHeader(name, value as string | number | readonly string[]);
  }
  if (headers['access-control-allow-origin'] !== undefined) {
    const exposed = String(headers['access-control-expose-headers'] ?? '');
    reply.raw.setHeader('access-control-expose-headers', [exposed, 'mcp-session-id', 'mcp-protocol-version'].filter(Boolean).join(', '));
  }
  reply.hijack();
}
