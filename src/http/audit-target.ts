import type { FastifyRequest } from 'fastify';

/** What a route's audit target id is computed from, once the answer is ready. */
export interface AuditSource {
  request: FastifyRequest;
  /** The answer's JSON body, parsed on demand (for an object created by the call). */
  reply(): unknown;
}

/** Computes a route's target id; null when the request carries none (e.g. refused before it was read). */
export type AuditTargetId = (source: AuditSource) => string | null;

const field = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), value);

const text = (v: unknown): string | null => (typeof v === 'string' || typeof v === 'number' ? String(v) : null);

/** A path parameter, e.g. `fromParam('tool_id')`. */
export const fromParam = (name: string): AuditTargetId => ({ request }) => text(field(request.params, name));

/** A field of the request body (dotted path), e.g. `fromBody('name')`. */
export const fromBody = (path: string): AuditTargetId => ({ request }) => text(field(request.body, path));

/** A query parameter, e.g. `fromQuery('type')`. */
export const fromQuery = (name: string): AuditTargetId => ({ request }) => text(field(request.query, name));

/** A field of the answer (dotted path): the id of an object the call created, e.g. `fromReply('api_key.id')`. */
export const fromReply = (path: string): AuditTargetId => ({ reply }) => text(field(reply(), path));

/** The first of several sources that yields an id (a created object's id, else the name asked for). */
export const firstOf = (...sources: AuditTargetId[]): AuditTargetId => (s) => {
  for (const source of sources) {
    const id = source(s);
    if (id !== null) return id;
  }
  return null;
};
