import type { Selectable } from 'kysely';

/**
 * A lease: `holder` (an instance id, see instance-id.ts) may do the job `name` until `expires_at`.
 * Both times are epoch milliseconds read from the database's clock, never from an instance's.
 */
export interface LeaseTable {
  name: string;
  holder: string;
  /** When the current holder took it (kept across renewals). */
  acquired_at: number;
  expires_at: number;
}

export type LeaseRow = Selectable<LeaseTable>;
