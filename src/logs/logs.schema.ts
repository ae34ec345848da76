import { z } from 'zod';
import { pageSchema, paginationQuery } from '../http/pagination.js';
import { LEVEL_NUMBERS } from './logs.service.js';

const isoTime = z.iso.datetime({ offset: true }).transform((v) => new Date(v).toISOString());
const range = { since: isoTime.optional(), until: isoTime.optional() };

export const systemLogQuery = paginationQuery.extend({
  level: z.enum(Object.keys(LEVEL_NUMBERS) as [keyof typeof LEVEL_NUMBERS]).optional(),
  q: z.string().min(1).max(200).optional(),
  ...range,
}).strict();

export const operationLogQuery = paginationQuery.extend({
  actor: z.string().max(200).optional(),
  action: z.string().max(200).optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  target: z.string().max(200).optional(),
  ...range,
}).strict();

export const mcpLogQuery = paginationQuery.extend({
  server: z.string().max(64).optional(),
  method: z.string().max(200).optional(),
  outcome: z.enum(['ok', 'error']).optional(),
  caller: z.string().max(200).optional(),
  q: z.string().min(1).max(200).optional(),
  ...range,
}).strict();

export const statsQuery = z.object({
  bucket: z.enum(['hour', 'day']).default('hour'),
  days: z.coerce.number().int().min(1).max(365).default(7),
}).strict();

const OLDER_THAN_DAYS = 'older_than_days is required: a whole number of days (0-3650), e.g. older_than_days=30';

export const cleanupQuery = z.object({
  type: z.enum(['system', 'operations', 'mcp', 'all']).default('all'),
  older_than_days: z
    .string({ error: OLDER_THAN_DAYS })
    .regex(/^\d{1,4}$/, OLDER_THAN_DAYS)
    .transform(Number)
    .pipe(z.number().max(3650, OLDER_THAN_DAYS))
    .describe('Delete entries older than this many days (0-3650)'),
}).strict();

const json = z.record(z.string(), z.unknown()).nullable();

export const systemLogItem = z.object({
  id: z.number(),
  time: z.string(),
  level: z.string(),
  msg: z.string(),
  context: json,
  request_id: z.string().nullable(),
});

export const operationLogItem = z.object({
  id: z.number(),
  time: z.string(),
  actor_type: z.string(),
  actor_id: z.string().nullable(),
  actor_name: z.string().nullable(),
  action: z.string(),
  target_type: z.string().nullable(),
  target_id: z.string().nullable(),
  outcome: z.string(),
  status_code: z.number().nullable(),
  ip: z.string().nullable(),
  request_id: z.string().nullable(),
  details: json,
});

export const mcpLogItem = z.object({
  id: z.number(),
  time: z.string(),
  server: z.string(),
  caller: z.string().nullable(),
  session_id: z.string().nullable(),
  direction: z.string(),
  method: z.string().nullable(),
  jsonrpc_id: z.string().nullable(),
  duration_ms: z.number().nullable(),
  outcome: z.string().nullable(),
  error_code: z.number().nullable(),
  size: z.number(),
  payload: z.string().nullable(),
});

const statRow = z.object({ bucket: z.string(), key: z.string(), count: z.number() });

export const statsResponse = z.object({
  bucket: z.enum(['hour', 'day']),
  since: z.string(),
  totals: z.object({ system: z.number(), operations: z.number(), mcp: z.number() }),
  system: z.array(statRow),
  operations: z.array(statRow),
  mcp: z.array(statRow),
});

export const cleanupResponse = z.object({
  deleted: z.object({ system: z.number(), operations: z.number(), mcp: z.number() }),
});

export const systemLogPage = pageSchema(systemLogItem);
export const operationLogPage = pageSchema(operationLogItem);
export const mcpLogPage = pageSchema(mcpLogItem);
