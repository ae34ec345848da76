import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditLog } from '../logs/audit-log.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Writes one operation-log row for every mutating API call, just before the response leaves (so a
 * caller that reads the log next finds it): who, action, target, outcome, status, IP, request id. The action comes from the route's `config.audit`, else method + URL.
 * Bodies are never recorded (they may hold passwords and secrets). A handler whose service audits its
 * own operations (secrets) sets `request.auditRecorded`, and no second row is written.
 */
export function registerAuditHook(app: FastifyInstance, deps: { audit: AuditLog; apiPrefix: string }): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const route = request.routeOptions;
    if (!MUTATING.has(request.method) || !route.url?.startsWith(deps.apiPrefix)) return payload;
    if (request.auditRecorded) return payload;
    const spec = route.config.audit;
    await deps.audit.record({
      actor: actorOf(request),
      action: spec?.action ?? `${request.method} ${route.url}`,
      target: { type: spec?.target ?? null, id: request.auditTargetId ?? paramId(request) },
      outcome: reply.statusCode < 400 ? 'success' : 'failure',
      statusCode: reply.statusCode,
      ip: request.ip,
      requestId: request.id,
      details: queryDetails(request),
    });
    return payload;
  });
}

function actorOf(request: FastifyRequest) {
  const p = request.principal;
  if (!p) return { type: 'anonymous' as const };
  return { type: p.type, id: p.id, name: p.name };
}

function paramId(request: FastifyRequest): string | null {
  const params = request.params as Record<string, unknown> | undefined;
  const id = params?.['id'] ?? params?.['name'];
  return typeof id === 'string' ? id : null;
}

function queryDetails(request: FastifyRequest): Record<string, unknown> | undefined {
  const q = request.query as Record<string, unknown> | undefined;
  return q && Object.keys(q).length > 0 ? { query: q } : undefined;
}
