import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { ServerScope } from '../gateway/access/server-access.js';
import type { SecretCaller } from '../secrets/secret-caller.js';
import { compactToolResult, DEFAULT_TEXT_BUDGET } from '../storage/tool-text.js';
import { batchDetail, batchList, batchView, itemsQuery, listBatchesQuery, startBatchFields, type BatchView } from './jobs.schema.js';
import type { JobsService } from './jobs.service.js';

export interface JobsToolsDeps {
  jobs: JobsService;
  /** The MCP client's identity: the batch runs as it (same permissions and audit as REST). */
  caller: SecretCaller;
  /** The servers the MCP client may reach (an API key's allowlists). */
  scope?: () => Promise<ServerScope>;
}

type Ctx = { mcpReq: { signal: AbortSignal } };

const textBudget = z.number().int().min(512).max(256 * 1024).default(DEFAULT_TEXT_BUDGET).describe('Bytes of text in the result (the structured result is complete)');

const progressLine = (b: BatchView) => {
  const p = b.progress;
  return `batch ${b.id} (${b.operation}) ${b.status}: ${p.done} done, ${p.failed} failed, ${p.running} running, ${p.pending} waiting, ${p.cancelled} cancelled of ${p.total}`;
};

/**
 * Batch tools of the log service: start_batch, get_batch, list_batches, cancel_batch. A batch runs in
 * the background and survives restarts; get_batch reports its progress and a page of item results.
 */
export function registerJobsTools(server: McpServer, { jobs, caller, scope }: JobsToolsDeps): void {
  server.registerTool('start_batch', {
    title: 'Start a batch job',
    description: `Run one operation over many items in the background, with a concurrency limit, retries with exponential backoff and a result per item; it survives platform restarts. Operations: ${jobs.operations().map((o) => `${o.name}: ${o.description}`).join(' ')} Returns the batch id at once: follow it with get_batch.`,
    inputSchema: z.object(startBatchFields),
    outputSchema: batchView,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  }, (args, ctx) => compactToolResult(async () => jobs.start(args, caller, { signal: (ctx as unknown as Ctx).mcpReq.signal, scope: await scope?.() }), (b) => ({ header: progressLine(b), lines: [], footer: 'follow it with get_batch' })));

  server.registerTool('get_batch', {
    title: 'Get a batch job',
    description: 'A batch\'s status and progress (done / failed / total) and a page of its items with their results or errors (`status` to see only failed ones, `offset` to page).',
    inputSchema: z.object({ id: z.string().min(1).max(64), ...itemsQuery.shape, limit: z.number().int().min(1).max(500).default(50), offset: z.number().int().min(0).default(0), text_budget: textBudget }),
    outputSchema: batchDetail,
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, (args) =>
    compactToolResult(
      () => jobs.get(args.id, args, caller),
      (b) => ({
        header: progressLine(b),
        lines: b.items.map((i) => `#${i.seq}\t${i.status}\t${JSON.stringify(i.input)}\t${i.error ?? JSON.stringify(i.result)}`),
        footer: b.items_left_out ? `${b.items_left_out} more items after this page: call again with offset ${b.items_offset + b.items.length} (or status: failed)` : null,
      }),
      args.text_budget,
    ));

  server.registerTool('list_batches', {
    title: 'List batch jobs',
    description: 'Batches, newest first, with their status and progress; `status` filters, `before` pages.',
    inputSchema: listBatchesQuery.extend({ limit: z.number().int().min(1).max(200).default(20) }),
    outputSchema: batchList,
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, (args) => compactToolResult(() => jobs.list(args, caller), (r) => ({ header: `${r.items.length} batches`, lines: r.items.map(progressLine), footer: r.next_before ? `more: call again with before=${r.next_before}` : null })));

  server.registerTool('cancel_batch', {
    title: 'Cancel a batch job',
    description: 'Cancel a running batch: waiting items never start, running items stop; finished item results stay.',
    inputSchema: z.object({ id: z.string().min(1).max(64) }),
    outputSchema: batchView,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  }, (args) => compactToolResult(() => jobs.cancel(args.id, caller), (b) => ({ header: progressLine(b), lines: [] })));
}
