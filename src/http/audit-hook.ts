import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditSpec } from './route-config.js';
import type { AuditLog } from '../logs/audit-log.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The operation log of the REST face. Every mutating API route declares `config.audit` (its action
 * and how to find its target's id; start-up fails without it), and this hook writes the one row for
 * it just before the response leaves (so a caller that reads the log next finds it): who, action,
 * target, outcome, status, IP, request id. Bodies are never recorded (they may hold passwords and
 * secrets). A handler whose service audits its own operations because it has other faces too (secrets:
 * MCP tools and CLI) sets `request.auditRecorded`, and no second row is written; calls refused before
 * the service was reached (401, 403, 400) are still recorded here.
 */
export function registerAuditHook(app: FastifyInstance, deps: { audit: AuditLog; apiPrefix: string }): void {
  app.addHook('onRoute', (route) => {
    const url = route.url ?? route.path;
    const methods = [route.method].flat();
    if (url.startsWith(deps.apiPrefix) && methods.some((m) => MUTATING.has(m)) && route.config?.audit === undefined) {
      throw new Error(`route ${methods.join(',')} ${url} declares no audit (config.audit)`);
    }
  });

  // A callback hook: most requests (reads) record nothing and pass without a promise.
  app.addHook('onSend', (request, reply, payload, done) => {
    const spec = request.routeOptions.config.audit;
    if (!spec || request.auditRecorded || !request.routeOptions.url?.startsWith(deps.apiPrefix)) return done(null, payload);
    record(deps.audit, request, reply, payload, spec).then(() => done(null, payload), done);
  });
}

async function record(audit: AuditLog, request: FastifyRequest, reply: FastifyReply, payload: unknown, spec: AuditSpec): Promise<void> {
  await audit.record({
    actor: actorOf(request),
    action: spec.action,
    target: { type: spec.target.type, id: spec.target.id({ request, reply: () => parsed(payload) }) },
    outcome: reply.statusCode < 400 ? 'success' : 'failure',
    statusCode: reply.statusCode,
    ip: request.ip,
    requestId: request.id,
    details: queryDetails(request),
  });
}

function actorOf(request: FastifyRequest) {
  const p = request.principal;
  if (!p) return { type: 'anonymous' as const };
  return { type: p.type, id: p.id, name: p.name };
}

function parsed(payload: unknown): unknown {
  if (typeof payload !== 'string') return undefined;
  try {
    return JSON.parse(payload);
  } catch {
    return undefined;
  }
}

function queryDetails(request: FastifyRequest): Record<string, unknown> | undefined {
  const q = request.query as Record<string, unknown> | undefined;
  return q && Object.keys(q).length > 0 ? { query: q } : undefined;
}
