import type { Logger } from 'pino';
import { nowIso } from '../lib/clock.js';
import type { LogsRepository } from './logs.repository.js';
import type { ActorType, Outcome } from './operation-log.table.js';

export interface AuditEntry {
  actor: { type: ActorType; id?: string | null; name?: string | null };
  action: string;
  /** The object acted on: always its kind, and its id (or name) when there is one. */
  target: { type: string; id?: string | null };
  outcome: Outcome;
  statusCode?: number | null;
  ip?: string | null;
  requestId?: string | null;
  /** Small, non-secret facts about the operation (never passwords, keys or secret values). */
  details?: Record<string, unknown>;
}

/** The operation (audit) log: who did what to which object, with what outcome. */
export function createAuditLog(deps: { logs: LogsRepository; log: Logger }) {
  return {
    async record(e: AuditEntry): Promise<void> {
      try {
        await deps.logs.insertOperation({
          time: nowIso(),
          actor_type: e.actor.type,
          actor_id: e.actor.id ?? null,
          actor_name: e.actor.name ?? null,
          action: e.action,
          target_type: e.target.type,
          target_id: e.target.id ?? null,
          outcome: e.outcome,
          status_code: e.statusCode ?? null,
          ip: e.ip ?? null,
          request_id: e.requestId ?? null,
          details: e.details ? JSON.stringify(e.details) : null,
        });
      } catch (err) {
        // Losing an audit row is serious but must not take the request down with it.
        deps.log.error({ err, action: e.action }, 'could not write the operation log');
      }
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
