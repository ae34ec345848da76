import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { AuditLog } from '../logs/audit-log.js';
import type { Logger } from '../logs/logger.js';
import { createBatchCreators, type ScopeFor } from './batch-creator.js';
import { createBullmqQueue } from './bullmq-queue.js';
import { createEmbeddedQueue } from './embedded-queue.js';
import { createItemClaims } from './item-claims.js';
import { createItemRunner } from './item-runner.js';
import type { JobQueue } from './job-queue.js';
import { createJobsRepository } from './jobs.repository.js';
import { createJobsService, type JobsService } from './jobs.service.js';
import type { OperationRegistry } from './operations/index.js';

export interface JobsRuntimeDeps {
  db: Kysely<Database>;
  log: Pick<Logger, 'warn' | 'info' | 'error'>;
  audit: AuditLog;
  operations: OperationRegistry;
  /** An API key's server allowlists (the gateway's access rules), applied to the items of its batches. */
  scopeFor?: ScopeFor;
  /** This instance (lease owner). */
  instanceId: string;
  config: { leaseMs: number; pollMs: number; concurrency: number; queuePrefix: string; redisUrl: string | undefined };
}

export interface JobsRuntime {
  service: JobsService;
  /** embedded (the database) or bullmq (REDIS_URL). */
  mode: 'embedded' | 'bullmq';
  /** Starts taking work (`mcps serve`): running batches left by a stopped or killed platform resume. */
  start(): Promise<void>;
  /** Stops taking work; running items go back to the queue. Idempotent. */
  close(): Promise<void>;
}

/** Wires the jobs domain: the service, the item runner, and the queue the configuration asks for. */
export function createJobsRuntime(deps: JobsRuntimeDeps): JobsRuntime {
  const { log, config } = deps;
  const repo = createJobsRepository(deps.db);
  const claims = createItemClaims(deps.db);
  const onError = (err: unknown) => log.warn({ err }, 'batch jobs: a pass of the queue failed');
  const runner = createItemRunner({
    claims, repo, operations: deps.operations, owner: deps.instanceId, leaseMs: config.leaseMs, log,
    creators: createBatchCreators(deps.db, deps.scopeFor),
    onSettled: (batchId, status) => {
      log.info({ batch: batchId, status }, 'batch finished');
      void deps.audit.record({ actor: { type: 'system', name: 'mcps' }, action: 'job.batch.finish', target: { type: 'job_batch', id: batchId }, outcome: 'success', details: { status } }).catch(onError);
    },
  });
  let queue: JobQueue | null = null;
  let closing: Promise<void> | null = null;
  const service = createJobsService({ repo, operations: deps.operations, audit: deps.audit, onStarted: () => queue?.kick(), onCancelled: (id) => runner.abortBatch(id) });
  const common = { claims, runner, concurrency: config.concurrency, pollMs: config.pollMs, onError };

  return {
    service,
    mode: config.redisUrl ? 'bullmq' : 'embedded',
    async start() {
      if (queue || closing) return;
      queue = config.redisUrl
        ? await createBullmqQueue({ ...common, redisUrl: config.redisUrl, prefix: config.queuePrefix, leaseMs: config.leaseMs })
        : createEmbeddedQueue(common);
      await queue.start();
      log.info({ mode: queue.mode }, 'batch jobs: queue started');
    },
    close() {
      closing ??= (async () => {
        await queue?.close();
      })();
      return closing;
    },
  };
}
