import { z } from 'zod';
import { BATCH_STATUSES, ITEM_STATUSES } from './jobs.table.js';

export const startBatchFields = {
  operation: z.string().min(1).max(64).describe('download_analyze or call_tool'),
  params: z.record(z.string(), z.unknown()).describe('The operation\'s parameters: download_analyze {profile, prefix?, from?, to?, glob?, max_files?, top_errors?}; call_tool {server, tool, inputs: [arguments, ...]}'),
  concurrency: z.number().int().min(1).max(64).default(4).describe('Items running at once (across every instance)'),
  max_attempts: z.number().int().min(1).max(20).default(3).describe('Tries per item before it fails'),
  backoff_ms: z.number().int().min(10).max(600_000).default(1000).describe('Delay before the first retry; doubles per attempt'),
};
export const startBatchBody = z.object(startBatchFields);

const counts = z.object({
  total: z.number().int(),
  pending: z.number().int(),
  running: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
});

export const batchView = z
  .object({
    id: z.string(),
    operation: z.string(),
    params: z.record(z.string(), z.unknown()),
    status: z.enum(BATCH_STATUSES),
    concurrency: z.number().int(),
    max_attempts: z.number().int(),
    backoff_ms: z.number().int(),
    progress: counts,
    created_by: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .meta({ id: 'JobBatch' });

export const itemView = z.object({
  seq: z.number().int(),
  input: z.unknown(),
  status: z.enum(ITEM_STATUSES),
  attempts: z.number().int(),
  result: z.unknown().nullable(),
  error: z.string().nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});

export const itemsQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  status: z.enum(ITEM_STATUSES).optional().describe('Only items in this state'),
});

export const batchDetail = batchView.extend({
  items: z.array(itemView),
  items_offset: z.number().int(),
  items_left_out: z.number().int().describe('Items (of the status asked, if any) after this page: raise offset to see them'),
});

export const listBatchesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(20),
  status: z.enum(BATCH_STATUSES).optional(),
  before: z.iso.datetime().optional().describe('created_at of the last batch of the previous page (next_before)'),
});
export const batchList = z.object({ items: z.array(batchView), next_before: z.string().nullable() });
export const batchParams = z.object({ id: z.string().min(1).max(64) });

export type StartBatchInput = z.infer<typeof startBatchBody>;
export type BatchView = z.infer<typeof batchView>;
export type BatchDetail = z.infer<typeof batchDetail>;
export type ItemsQuery = z.infer<typeof itemsQuery>;
export type ListBatchesQuery = z.infer<typeof listBatchesQuery>;
