import type { ItemCounts } from './jobs.repository.js';
import type { BatchView } from './jobs.schema.js';
import type { JobBatchRow, JobItemRow } from './jobs.table.js';

const parse = (s: string | null): unknown => (s === null ? null : JSON.parse(s));

export function toBatchView(row: JobBatchRow, c: ItemCounts): BatchView {
  return {
    id: row.id,
    operation: row.operation,
    params: JSON.parse(row.params) as Record<string, unknown>,
    status: row.status,
    concurrency: row.concurrency,
    max_attempts: row.max_attempts,
    backoff_ms: row.backoff_ms,
    progress: { total: row.total, ...c },
    created_by: createdBy(row),
    created_at: row.created_at,
    updated_at: row.updated_at,
    finished_at: row.finished_at,
  };
}

export function toItemView(row: JobItemRow) {
  return {
    seq: row.seq,
    input: parse(row.input),
    status: row.status,
    attempts: row.attempts,
    result: parse(row.result),
    error: row.error,
    started_at: row.started_at,
    finished_at: row.finished_at,
  };
}

/** `user:<name>` / `api_key:<name>`; a CLI actor's name already reads `cli:<os user>`. */
function createdBy(row: JobBatchRow): string {
  if (!row.creator_name) return row.creator_type;
  return row.creator_name.startsWith(`${row.creator_type}:`) || row.creator_name === row.creator_type ? row.creator_name : `${row.creator_type}:${row.creator_name}`;
}
