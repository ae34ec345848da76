import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { EVERY_SERVER, type ServerScope } from '../gateway/access/server-access.js';
import { AppError } from '../http/app-error.js';
import type { AuditLog } from '../logs/audit-log.js';
import { createAudited } from '../logs/audited.js';
import { assertPermitted, type SecretCaller } from '../secrets/secret-caller.js';
import { toBatchView, toItemView } from './jobs-views.js';
import type { JobsRepository } from './jobs.repository.js';
import type { BatchDetail, BatchView, ItemsQuery, ListBatchesQuery, StartBatchInput } from './jobs.schema.js';
import type { JobBatchRow } from './jobs.table.js';
import type { OperationRegistry } from './operations/index.js';

export interface JobsServiceDeps {
  repo: JobsRepository;
  operations: OperationRegistry;
  audit: AuditLog;
  /** Tells the queue there is new work, and stops this instance's attempts of a cancelled batch. */
  onStarted: () => void;
  onCancelled: (batchId: string) => void;
}

/**
 * Batches: start (the operation lists its items, all stored at once), read, list, cancel. Checks the
 * caller's permissions itself (jobs:read / jobs:write, plus what the operation needs) so REST, MCP
 * tools and the CLI behave alike; starting and cancelling are recorded in the operation log.
 */
export function createJobsService(deps: JobsServiceDeps) {
  const { repo } = deps;
  const audited = createAudited(deps.audit);
  const target = (id: string) => ({ type: 'job_batch', id });

  async function find(id: string): Promise<JobBatchRow> {
    const row = await repo.findBatch(id);
    if (!row) throw AppError.notFound('Batch', id);
    return row;
  }
  const view = async (row: JobBatchRow): Promise<BatchView> => toBatchView(row, await repo.counts(row.id));

  return {
    operations: () => [...deps.operations.values()].map((o) => ({ name: o.name, description: o.description })),

    async start(input: StartBatchInput, caller: SecretCaller, ctx: { signal?: AbortSignal | undefined; scope?: ServerScope | undefined } = {}): Promise<BatchView> {
      const id = randomUUID();
      return audited(caller, { action: 'job.batch.start', target: target(id), details: { operation: input.operation } }, async (details) => {
        assertPermitted(caller, 'jobs:write');
        const op = deps.operations.get(input.operation);
        if (!op) throw new AppError('validation', `unknown operation '${input.operation}' (one of: ${[...deps.operations.keys()].join(', ')})`, { errors: [{ field: 'operation', message: 'unknown operation' }] });
        for (const p of op.permissions) assertPermitted(caller, p);
        const params = parse(op.params, input.params);
        const inputs = await op.expand(params, caller, { signal: ctx.signal, scope: ctx.scope ?? EVERY_SERVER });
        if (inputs.length === 0) throw new AppError('unprocessable', 'the selection has no items (nothing matched): nothing to run');
        const now = new Date().toISOString();
        const row = {
          id, operation: op.name, params: JSON.stringify(params), status: 'running' as const,
          concurrency: input.concurrency, max_attempts: input.max_attempts, backoff_ms: input.backoff_ms, total: inputs.length,
          creator_type: caller.actor.type, creator_id: caller.actor.id ?? null, creator_name: caller.actor.name ?? null,
          created_at: now, updated_at: now, finished_at: null,
        };
        await repo.insertBatch(row, inputs);
        Object.assign(details, { items: inputs.length });
        deps.onStarted();
        return view(await find(id));
      });
    },

    async get(id: string, q: ItemsQuery, caller: SecretCaller): Promise<BatchDetail> {
      assertPermitted(caller, 'jobs:read');
      const batch = await view(await find(id));
      const items = await repo.items(id, q.offset, q.limit, q.status);
      const matching = q.status ? batch.progress[q.status] : batch.progress.total;
      return { ...batch, items: items.map(toItemView), items_offset: q.offset, items_left_out: Math.max(0, matching - q.offset - items.length) };
    },

    async list(q: ListBatchesQuery, caller: SecretCaller): Promise<{ items: BatchView[]; next_before: string | null }> {
      assertPermitted(caller, 'jobs:read');
      const rows = await repo.listBatches(q.limit, q.status, q.before);
      const items = await Promise.all(rows.map(view));
      return { items, next_before: rows.length === q.limit ? rows.at(-1)!.created_at : null };
    },

    /** Cancels a running batch: waiting items never start, running ones stop. A finished batch is a 409. */
    async cancel(id: string, caller: SecretCaller): Promise<BatchView> {
      return audited(caller, { action: 'job.batch.cancel', target: target(id) }, async () => {
        assertPermitted(caller, 'jobs:write');
        const row = await find(id);
        if (!(await repo.cancel(row.id, new Date().toISOString()))) throw new AppError('conflict', `batch ${id} is already ${row.status === 'running' ? 'finished' : row.status}`);
        deps.onCancelled(row.id);
        return view(await find(id));
      });
    },
  };
}

export type JobsService = ReturnType<typeof createJobsService>;

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({ field: `params.${i.path.join('.')}`, message: i.message }));
  throw new AppError('validation', `params: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors });
}
