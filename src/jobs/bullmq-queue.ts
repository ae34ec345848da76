import { cjsExports } from '../lib/cjs-exports.js';
import type { ItemClaims } from './item-claims.js';
import type { ItemRef, ItemRunner } from './item-runner.js';
import type { JobQueue } from './job-queue.js';
import { createPollLoop } from './poll-loop.js';

export interface BullmqQueueDeps {
  claims: ItemClaims;
  runner: ItemRunner;
  redisUrl: string;
  /** Redis key prefix (several platforms, or tests, on one Redis). */
  prefix: string;
  /** Items this instance's worker runs at once. */
  concurrency: number;
  pollMs: number;
  /** A job taken by an instance that died goes back to the queue after about this long. */
  leaseMs: number;
  onError: (err: unknown) => void;
}

const QUEUE = 'job-items';

/**
 * With REDIS_URL: every instance looks for claimable items in the database and puts them on one
 * BullMQ queue (the job id is the item, so an item waits on the queue at most once); the workers of
 * every instance take them and claim them in the database before running. A job whose item is not
 * claimable (taken, at the batch's concurrency) just ends; the next look puts it back when it is.
 */
export async function createBullmqQueue(deps: BullmqQueueDeps): Promise<JobQueue> {
  const [bullmq, ioredis] = await Promise.all([import('bullmq'), import('ioredis')]);
  const { Queue, Worker } = cjsExports(bullmq, 'Queue');
  const { Redis } = cjsExports(ioredis, 'Redis');
  // Redis unreachable: ioredis reconnects by itself; each failure is reported (not an unhandled 'error' event).
  const connection = () => new Redis(deps.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false }).on('error', deps.onError);
  const queueConn = connection();
  const queue = new Queue<ItemRef>(QUEUE, { connection: queueConn, prefix: deps.prefix });
  let worker: InstanceType<typeof Worker<ItemRef>> | null = null;
  const workerConn = connection();

  const loop = createPollLoop(async () => {
    const refs = await deps.claims.claimable(deps.concurrency * 4);
    if (refs.length === 0) return;
    await queue.addBulk(refs.map((r) => ({ name: 'item', data: r, opts: { jobId: `${r.batchId}_${r.seq}`, removeOnComplete: true, removeOnFail: true } })));
  }, deps.pollMs, deps.onError);

  return {
    mode: 'bullmq',
    async start() {
      worker = new Worker<ItemRef>(QUEUE, async (job) => deps.runner.tryRun(job.data), {
        connection: workerConn,
        prefix: deps.prefix,
        concurrency: deps.concurrency,
        lockDuration: deps.leaseMs,
        stalledInterval: deps.leaseMs,
      });
      worker.on('failed', (_job, err) => deps.onError(err));
      worker.on('error', deps.onError);
      // A finished item frees a slot of its batch: look for the next one now.
      worker.on('completed', (_job, ran) => ran && loop.kick());
      loop.start();
    },
    kick: () => loop.kick(),
    async close() {
      await loop.stop();
      deps.runner.abortAll();
      await worker?.close();
      await queue.close();
      queueConn.disconnect();
      workerConn.disconnect();
    },
  };
}
