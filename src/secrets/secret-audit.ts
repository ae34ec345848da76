import type { AppError } from '../http/app-error.js';
import type { AuditLog } from '../logs/audit-log.js';
import { createAudited } from '../logs/audited.js';
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
 * Runs one secrets operation through the shared `audited` (src/logs/audited.ts): one operation-log
 * row, success or failure, targeting the secret; a decryption failure adds its key version and reason
 * (messages of this domain never contain values). Every face (REST, CLI, MCP tools) goes through
 * this, so every read and change of a secret is audited once.
 */
export function createSecretAudit(audit: AuditLog) {
  const audited = createAudited(audit, cryptoFacts);
  return <T>(caller: SecretCaller, op: SecretOperation, run: (details: Record<string, unknown>) => Promise<T>): Promise<T> =>
    audited(caller, { action: op.action, target: { type: 'secret', id: op.name ?? null }, ...(op.details ? { details: op.details } : {}) }, run);
}

export type SecretAuditor = ReturnType<typeof createSecretAudit>;

function cryptoFacts(e: AppError | null): Record<string, unknown> {
  const d = e?.details;
  return d && typeof d['kek_version'] === 'string' ? { kek_version: d['kek_version'], crypto_error: d['reason'] } : {};
}
