import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { sqliteFileOf } from '../db/connect.js';
import type { Database } from '../db/database.js';
import { createWorkerRunner } from '../lib/worker-call.js';
import type { NewMcpLogRow } from './mcp-log.table.js';
import { startHourlyRetention, type RetentionPolicy } from './protocol-log-retention.js';
import { createTrafficRecorder, type TrafficRecorder, type TrafficRecorderOptions } from './protocol-recorder.js';
import { createTrafficRepository, type TrafficRepository } from './protocol-log.repository.js';

export interface ProtocolLogDeps {
  db: Kysely<Database>;
  log: Pick<Logger, 'info' | 'error'>;
  /** Recorder settings (defaults: 16 KiB payloads, 10,000 buffered, 500-row batches every second). */
  recorder?: Partial<Omit<TrafficRecorderOptions, 'insert'>>;
  /** Retention, applied hourly (default: 30 days, 1,000,000 rows); a function is read at each run. */
  retention?: RetentionPolicy | (() => RetentionPolicy) | undefined;
  /** Hears of each batch written (live streams). */
  onWritten?: () => void;
  /** Where a SQLite file's batches are written: a thread of their own (default) or the event loop's. */
  writer?: 'thread' | 'inline';
}

export interface ProtocolLog {
  recorder: TrafficRecorder;
  repository: TrafficRepository;
  /** Stops the hourly retention and writes what the recorder still holds. */
  close(): Promise<void>;
}

/** The writer thread's module, with this module's own extension (.ts from source, .js from dist/). */
const WRITER = new URL(`./mcp-log-writer${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;
/** The writer thread ends after this long without a batch (its connection and heap go with it); it starts again in ~50 ms. */
const WRITER_IDLE_EXIT_MS = 10_000;
/**
 * Smaller batches are written on the event loop (a millisecond or less): an idle platform's health
 * pings never start the thread (~13 MB while it lives); traffic's 100 ms batches go to it.
 */
const THREAD_MIN_ROWS = 64;

/**
 * The protocol log (table `mcp_logs`): the recorder that every MCP message passes through, writing
 * in batches off the hot path, and its hourly retention. Queries for the API are in src/logs/. On a
 * SQLite file the batches are written by a thread of their own (mcp-log-writer.ts): a batch of a few
 * hundred rows is milliseconds of synchronous SQLite work, which on the event loop held up every
 * call in flight (docs/benchmarks.md, gateway, session 17). PostgreSQL's driver is asynchronous.
 */
export function createProtocolLog(deps: ProtocolLogDeps): ProtocolLog {
  const repository = createTrafficRepository(deps.db);
  const file = deps.writer === 'inline' ? undefined : sqliteFileOf(deps.db);
  const writer = file === undefined ? null : createWorkerRunner(WRITER, { name: 'protocol log writer', idleExitMs: WRITER_IDLE_EXIT_MS });
  const write = (rows: NewMcpLogRow[]) => (writer !== null && rows.length >= THREAD_MIN_ROWS ? writer.call<void>('insertBatch', [file, rows]) : repository.insertBatch(rows));
  const recorder = createTrafficRecorder({
    ...deps.recorder,
    insert: async (rows) => {
      await write(rows);
      deps.onWritten?.();
    },
    onError: (err) => deps.log.error({ err }, 'protocol log: a batch could not be written'),
  });
  const stopRetention = startHourlyRetention({ repo: repository, policy: deps.retention, log: deps.log });
  return {
    recorder,
    repository,
    async close() {
      stopRetention();
      await recorder.close();
      if (writer === null) return;
      await writer.call('closeWriters', []).catch((err: unknown) => deps.log.error({ err }, 'protocol log: the writer could not close its connection'));
      await writer.close();
    },
  };
}
