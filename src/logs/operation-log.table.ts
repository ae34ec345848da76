import type { Generated, Insertable, Selectable } from 'kysely';

export type ActorType = 'user' | 'api_key' | 'cli' | 'system' | 'anonymous';
export type Outcome = 'success' | 'failure';

export interface OperationLogTable {
  id: Generated<number>;
  time: string;
  actor_type: ActorType;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: Outcome;
  status_code: number | null;
  ip: string | null;
  request_id: string | null;
  /** JSON; never holds passwords, keys or secret values. */
  details: string | null;
}

export type OperationLogRow = Selectable<OperationLogTable>;
export type NewOperationLogRow = Insertable<OperationLogTable>;
