import { AppError } from '../http/app-error.js';
import type { AuditLog } from '../logs/audit-log.js';
import type { SecretCaller } from './secret-caller.js';

export interface SecretOperation {
  /** Dotted action, e.g. `secret.reveal`. */
  action: string;
  /** The secret's name, if the operation is about one. */
  name?: string | null;
  /** Small, non-secret facts (version, reason, cas). `run` may add to it as it learns more. */
  details?: Record<string, unknown>;
}

/**
 * Runs one secrets operation and records exactly one operation-log row for it, success or failure,
 * with who (the caller), what, and the details; a failure also records its error code and message
 * (messages of this domain never contain values). Every transport (REST, CLI, MCP tools) goes through
 * this, so every read and change of a secret is audited once.
 */
export function createSecretAudit(audit: AuditLog) {
  return async function audited<T>(caller: SecretCaller, op: SecretOperation, run: (details: Record<string, unknown>) => Promise<T>): Promise<T> {
    const details: Record<string, unknown> = { ...op.details };
    const base = {
      actor: caller.actor,
      action: op.action,
      target: { type: 'secret', id: op.name ?? null },
      ip: caller.ip ?? null,
      requestId: caller.requestId ?? null,
    };
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
        details: { ...details, error: e?.code ?? 'internal', ...(e ? { message: e.message } : {}), ...cryptoFacts(e) },
      });
      throw err;
    }
  };
}

export type SecretAuditor = ReturnType<typeof createSecretAudit>;

function cryptoFacts(e: AppError | null): Record<string, unknown> {
  const d = e?.details;
  return d && typeof d['kek_version'] === 'string' ? { kek_version: d['kek_version'], crypto_error: d['reason'] } : {};
}
