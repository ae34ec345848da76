import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
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
}

export interface ProtocolLog {
  recorder: TrafficRecorder;
  repository: TrafficRepository;
  /** Stops the hourly retention and writes what the recorder still holds. */
  close(): Promise<void>;
}

/**
 * The protocol log (table `mcp_logs`): the recorder that every MCP message passes through, writing
 * in batches off the hot path, and its hourly retention. Queries for the API are in src/logs/.
 */
export function createProtocolLog(deps: ProtocolLogDeps): ProtocolLog {
  const repository = createTrafficRepository(deps.db);
  const recorder = createTrafficRecorder({
    ...deps.recorder,
    insert: async (rows) => {
      await repository.insertBatch(rows);
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
    },
  };
}
