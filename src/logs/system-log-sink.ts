import type { Logger } from 'pino';
import type { NewSystemLogRow } from './system-log.table.js';

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const KNOWN_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'reqId', 'request_id']);

export interface SystemLogSinkOptions {
  insert(rows: NewSystemLogRow[]): Promise<void>;
  /** Rows kept in memory at most; past that the oldest unwritten rows are dropped and counted. */
  maxBuffer?: number;
  flushIntervalMs?: number;
  batchSize?: number;
}

/**
 * A pino destination that stores warn-and-above entries, and info entries marked `lifecycle: true`,
 * in the database in batches. Writing never blocks logging; a failed batch is reported on stderr.
 */
export function createSystemLogSink(opts: SystemLogSinkOptions) {
  const maxBuffer = opts.maxBuffer ?? 10_000;
  const batchSize = opts.batchSize ?? 500;
  let buffer: NewSystemLogRow[] = [];
  let dropped = 0;
  let flushing: Promise<void> | null = null;
  const timer = setInterval(() => void flush(), opts.flushIntervalMs ?? 1000);
  timer.unref();

  function toRow(line: string): NewSystemLogRow | null {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return null;
    }
    const levelNum = typeof entry['level'] === 'number' ? entry['level'] : (LEVELS[String(entry['level'])] ?? 30);
    if (levelNum < 40 && entry['lifecycle'] !== true) return null;
    const context: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(entry)) if (!KNOWN_KEYS.has(k)) context[k] = v;
    const requestId = entry['reqId'] ?? entry['request_id'];
    return {
      time: typeof entry['time'] === 'string' ? entry['time'] : new Date().toISOString(),
      level: Object.keys(LEVELS).find((k) => LEVELS[k] === levelNum) ?? String(levelNum),
      level_num: levelNum,
      msg: typeof entry['msg'] === 'string' ? entry['msg'] : '',
      context: Object.keys(context).length > 0 ? JSON.stringify(context) : null,
      request_id: typeof requestId === 'string' ? requestId : null,
    };
  }

  async function flush(): Promise<void> {
    if (flushing) return flushing;
    flushing = (async () => {
      while (buffer.length > 0) {
        const batch = buffer.slice(0, batchSize);
        buffer = buffer.slice(batch.length);
        try {
          await opts.insert(batch);
        } catch (err) {
          process.stderr.write(`system log sink: could not store ${batch.length} entries: ${(err as Error).message}\n`);
          dropped += batch.length;
        }
      }
    })().finally(() => {
      flushing = null;
    });
    return flushing;
  }

  return {
    /** The pino destination interface. Cheap pre-check so info lines without lifecycle skip JSON parsing. */
    write(line: string): void {
      if (!/"level":"(warn|error|fatal)"|"level":[456]\d|"lifecycle":true/.test(line)) return;
      const row = toRow(line);
      if (!row) return;
      buffer.push(row);
      if (buffer.length > maxBuffer) {
        const over = buffer.length - maxBuffer;
        buffer.splice(0, over);
        dropped += over;
      }
      if (buffer.length >= batchSize) void flush();
    },
    flush,
    get dropped() {
      return dropped;
    },
    async close(): Promise<void> {
      clearInterval(timer);
      await flush();
    },
  };
}

export type SystemLogSink = ReturnType<typeof createSystemLogSink>;
export type { Logger };
