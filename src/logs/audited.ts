import { AppError } from '../http/app-error.js';
import type { AuditEntry, AuditLog } from './audit-log.js';

/** Who runs an audited operation, whatever the face (REST, MCP tool, CLI, the platform itself). */
export interface AuditCaller {
  actor: AuditEntry['actor'];
  ip?: string | null;
  requestId?: string | null;
}

export interface AuditedOperation {
  /** Dotted action, e.g. `secret.reveal`. */
  action: string;
  /** The object acted on, always named by the caller of `audited`. */
  target: AuditEntry['target'];
  /** Small, non-secret facts. `run` may add to them as it learns more. */
  details?: Record<string, unknown>;
}

/**
 * The operation log of a service with more than one face: runs one operation and records exactly
 * one row for it, success or failure, with who, what, which target and the details; a failure also
 * records its error code and message (`failureFacts` may add facts of the domain). REST handlers
 * that call such a service set `request.auditRecorded`, so the HTTP hook adds no second row.
 */
export function createAudited(audit: Pick<AuditLog, 'record'>, failureFacts: (e: AppError | null) => Record<string, unknown> = () => ({})) {
  return async function audited<T>(caller: AuditCaller, op: AuditedOperation, run: (details: Record<string, unknown>) => Promise<T>): Promise<T> {
    const details: Record<string, unknown> = { ...op.details };
    const base = { actor: caller.actor, action: op.action, target: op.target, ip: caller.ip ?? null, requestId: caller.requestId ?? null };
    try {
      const result = await run(details);
      await audit.record({ ...base, outcome: 'success', ...(Object.keys(details).length ? { details } : {}) });
      return result;
    } catch (err) {
      const e = err instanceof AppError ? err : null;
      await audit.record({
        ...base,
        outcome: 'failure',
        statusCode: e?.status ?? 500,
        details: { ...details, error: e?.code ?? 'internal', ...(e ? { message: e.message } : {}), ...failureFacts(e) },
      });
      throw err;
    }
  };
}

export type Audited = ReturnType<typeof createAudited>;
