import type { Permission } from '../auth/permissions.js';
import type { Principal } from '../auth/principal.js';
import type { AuditTargetId } from './audit-target.js';

/**
 * Who may call a route: a permission from the matrix, any authenticated principal, anyone, or
 * `receiver`: a webhook sender proving itself with its receiver's own token or HMAC signature, which
 * the route checks (src/alerts/webhook-auth.ts); user sessions, JWTs and API keys do not apply there.
 * Every route under the API prefix must declare it; app start-up fails otherwise.
 */
export type RouteAuth = Permission | 'authenticated' | 'public' | 'receiver';

/**
 * The operation-log row of a route: every mutating API route must declare it (app start-up fails
 * otherwise); a read route may, to be audited too (a backup download).
 */
export interface AuditSpec {
  /** Dotted action name, e.g. `user.create`. */
  action: string;
  /** The object acted on: its kind, and where its id comes from (see audit-target.ts). */
  target: { type: string; id: AuditTargetId };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
    audit?: AuditSpec;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** Set by a handler whose service writes the operation-log row itself; the audit hook then adds none. */
    auditRecorded?: boolean;
  }
}
