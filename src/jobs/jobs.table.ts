import type { Insertable, Selectable } from 'kysely';

export const BATCH_STATUSES = ['running', 'completed', 'failed', 'cancelled'] as const;
/** running until every item is settled; then completed (all done), failed (some failed) or cancelled. */
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export const ITEM_STATUSES = ['pending', 'running', 'done', 'failed', 'cancelled'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** A batch: one operation over many items, run as its creator. */
export interface JobBatchTable {
  id: string;
  operation: string;
  /** The operation's parameters (JSON). */
  params: string;
  status: BatchStatus;
  /** Items of this batch running at once, across every instance. */
  concurrency: number;
  max_attempts: number;
  /** First retry delay; doubles per attempt. */
  backoff_ms: number;
  total: number;
  /** Who started it: the principal each item runs as (its role is read again before each item). */
  creator_type: string;
  creator_id: string | null;
  creator_name: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** One item of a batch. The lease (owner + expiry, database clock in epoch ms) says who runs it now. */
export interface JobItemTable {
  batch_id: string;
  seq: number;
  /** The item's input (JSON), e.g. `{"key": "..."}`. */
  input: string;
  status: ItemStatus;
  /** Claims so far; a claim is one attempt. */
  attempts: number;
  /** Not claimable before this (epoch ms, database clock): the retry backoff. */
  next_run_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  /** Completions recorded: 1 for a done item. A stale worker's completion is refused, so never 2. */
  completions: number;
  result: string | null;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
}

export type JobBatchRow = Selectable<JobBatchTable>;
export type NewJobBatchRow = Insertable<JobBatchTable>;
export type JobItemRow = Selectable<JobItemTable>;
