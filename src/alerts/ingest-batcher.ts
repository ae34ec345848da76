import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { ingestBodies, isRetryableConflict, keyOf, type IngestBody, type IngestResult } from './alert-ingest.js';
import { createEpisodeIndex } from './episode-index.js';
import { createRepeatDeliveries, writeRepeats } from './repeat-deliveries.js';

/** A batch stops growing at this many bodies or alerts (a body larger than that goes alone). */
const MAX_BODIES = 32;
const MAX_ALERTS = 2000;
/** Held repeat deliveries are written at least this often. */
const REPEATS_EVERY_MS = 1000;

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
 *
 * Repeats of episodes known to be committed are answered without a write (episode-index.ts); their
 * delivery counts are written behind (repeat-deliveries.ts) by this same loop, between batches, at
 * least every REPEATS_EVERY_MS, and on `flush()`.
 */
export function createIngestBatcher(db: Kysely<Database>, options: { onError?: (err: unknown) => void } = {}) {
  const queue: Pending[] = [];
  const memory = { index: createEpisodeIndex(), repeats: createRepeatDeliveries() };
  let running: Promise<void> | null = null;
  let scheduled = false;
  let lastRepeats = performance.now();
  let timer: NodeJS.Timeout | null = null;

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
      const results = await ingestBodies(db, batch.map((p) => p.body), memory);
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      for (const p of batch) await store([p]);
    }
  }

  /** Adds the held repeat counts to their rows in one transaction; a row gone meanwhile is stored again from its latest delivery. */
  async function writeHeld(): Promise<void> {
    lastRepeats = performance.now();
    const held = memory.repeats.drain();
    if (held.length === 0) return;
    try {
      const missing = await retried(() => db.transaction().execute((trx) => writeRepeats(trx, held)));
      for (const m of missing) {
        memory.index.delete(keyOf(m.fingerprint, m.startsAt));
        await ingestBodies(db, [{ receiver: m.receiver, alerts: [m.alert], now: m.last }], memory);
      }
    } catch (err) {
      memory.repeats.putBack(held, keyOf);
      options.onError?.(err);
    }
  }

  async function run(): Promise<void> {
    scheduled = false;
    while (queue.length > 0) {
      await store(take());
      if (performance.now() - lastRepeats >= REPEATS_EVERY_MS) await writeHeld();
    }
  }

  function start(): Promise<void> {
    running ??= run().finally(() => {
      running = null;
      if (queue.length > 0) start();
      armTimer();
    });
    return running;
  }

  /** When repeats are held and no batch comes to write them, they are written within REPEATS_EVERY_MS. */
  function armTimer(): void {
    if (timer || memory.repeats.size === 0) return;
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, REPEATS_EVERY_MS);
    timer.unref();
  }

  /** Writes the held repeat counts now (after the batch in flight). */
  async function flush(): Promise<void> {
    while (running) await running;
    running = writeHeld().finally(() => {
      running = null;
      if (queue.length > 0) start();
      armTimer();
    });
    await running;
  }

  return {
    /** Resolves once the body is committed (with the bodies that came with it); rejects if it could not be stored. */
    ingest(body: IngestBody): Promise<IngestResult> {
      return new Promise<IngestResult>((resolve, reject) => {
        queue.push({ body, resolve, reject });
        // After the I/O callbacks of this turn: the posts whose bodies arrived together share a transaction.
        if (!running && !scheduled) {
          scheduled = true;
          setImmediate(() => void start());
        }
      });
    },
    flush,
    /** The episodes this process knows to be committed (tests, the bench). */
    memory,
  };
}

async function retried<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= 3 || !isRetryableConflict(err)) throw err;
    }
  }
}

export type IngestBatcher = ReturnType<typeof createIngestBatcher>;
