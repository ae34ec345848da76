import type { Permission } from '../auth/permissions.js';
import type { Principal } from '../auth/principal.js';

/**
 * Who may call a route: a permission from the matrix, any authenticated principal, or anyone.
 * Every route under the API prefix must declare it; app start-up fails otherwise.
 */
export type RouteAuth = Permission | 'authenticated' | 'public';

export interface AuditSpec {
  /** Dotted action name, e.g. `user.create`. */
  action: string;
  /** What kind of object the route acts on; the id comes from the `id` param or request.auditTargetId. */
  target?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
    audit?: AuditSpec;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** Set by a handler when the target's id is known only after the work (e.g. a created object). */
    auditTargetId?: string;
    /** Set by a handler whose service writes the operation-log row itself; the audit hook then adds none. */
    auditRecorded?: boolean;
  }
}
