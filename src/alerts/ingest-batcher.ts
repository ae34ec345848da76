import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { ingestBodies, type IngestBody, type IngestResult } from './alert-ingest.js';

/** A batch stops growing at this many bodies or alerts (a body larger than that goes alone). */
const MAX_BODIES = 32;
const MAX_ALERTS = 2000;

interface Pending {
  body: IngestBody;
  resolve(r: IngestResult): void;
  reject(err: unknown): void;
}

/**
 * Group commit for webhook bodies: the bodies that arrive together (in one turn of the event loop,
 * or while the previous transaction runs) are stored in one transaction, and each caller is answered
 * only after that commit. One transaction at a time per process: a commit's cost (SQLite's WAL write,
 * PostgreSQL's round trips and flush) is shared by the batch instead of paid per body, and posts
 * carrying the same alerts no longer wait on each other's row locks.
 *
 * All or nothing per body still: when a shared transaction fails, each of its bodies is tried again
 * alone, so one body's failure (a 5xx to its sender) never fails another's.
 */
export function createIngestBatcher(db: Kysely<Database>) {
  const queue: Pending[] = [];
  let running = false;
  let scheduled = false;

  function take(): Pending[] {
    const batch: Pending[] = [];
    let alerts = 0;
    while (queue.length > 0 && batch.length < MAX_BODIES) {
      const size = queue[0]!.body.alerts.length;
      if (batch.length > 0 && alerts + size > MAX_ALERTS) break;
      batch.push(queue.shift()!);
      alerts += size;
    }
    return batch;
  }

  async function store(batch: Pending[]): Promise<void> {
    try {
      const results = await ingestBodies(db, batch.map((p) => p.body));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      for (const p of batch) await store([p]);
    }
  }

  async function run(): Promise<void> {
    scheduled = false;
    running = true;
    try {
      while (queue.length > 0) await store(take());
    } finally {
      running = false;
    }
  }

  return {
    /** Resolves once the body is committed (with the bodies that came with it); rejects if it could not be stored. */
    ingest(body: IngestBody): Promise<IngestResult> {
      return new Promise<IngestResult>((resolve, reject) => {
        queue.push({ body, resolve, reject });
        // After the I/O callbacks of this turn: the posts whose bodies arrived together share a transaction.
        if (!running && !scheduled) {
          scheduled = true;
          setImmediate(() => void run());
        }
      });
    },
  };
}

export type IngestBatcher = ReturnType<typeof createIngestBatcher>;
