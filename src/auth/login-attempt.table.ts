import type { Generated, Selectable } from 'kysely';

export interface LoginAttemptTable {
  id: Generated<number>;
  username: string;
  ip: string;
  /** 1 for a successful login, 0 for a failure (integers keep SQLite and PostgreSQL alike). */
  succeeded: number;
  reason: string | null;
  created_at: string;
}

export type LoginAttemptRow = Selectable<LoginAttemptTable>;
