import type { Generated, Insertable, Selectable } from 'kysely';

export interface SystemLogTable {
  id: Generated<number>;
  time: string;
  level: string;
  /** pino's numeric level, for "level and above" queries. */
  level_num: number;
  msg: string;
  /** JSON of the remaining fields of the log entry. */
  context: string | null;
  request_id: string | null;
}

export type SystemLogRow = Selectable<SystemLogTable>;
export type NewSystemLogRow = Insertable<SystemLogTable>;
