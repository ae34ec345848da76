import type { EventStream } from '../http/event-streams.js';
import type { LiveEvents, LogKind } from '../lib/live-events.js';

export interface LogTailOptions {
  kind: LogKind;
  /**
   * Rows matching the stream's filters: the newest `limit` (newest first) when `after` is null, else
   * those after that id (oldest first).
   */
  rows(after: number | null, limit: number): Promise<{ id: number }[]>;
  live: Pick<LiveEvents, 'onLogsWritten'>;
  stream: EventStream;
  /** The last id the client saw (Last-Event-ID), or null for "from now on". */
  after: number | null;
  /** Rows replayed on a resume at most; past that the oldest are skipped and a `gap` event says so. */
  replayMax?: number;
  /** Also looks for new rows this often: rows written by another instance are not announced here. */
  pollMs?: number;
  onError(err: unknown): void;
}

const BATCH = 200;

/**
 * Follows one log for one stream: on resume replays what the client missed (bounded), then sends new
 * rows as they are written, in id order, each with its id as the event id. Writes in this process wake
 * it at once; a slow poll catches the rows other instances write to the same database.
 */
export async function followLog(opts: LogTailOptions): Promise<void> {
  const { stream } = opts;
  const replayMax = opts.replayMax ?? 1000;
  let last = await catchUp(opts, replayMax);
  let running = false;
  let again = false;

  const pump = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        let rows: { id: number }[];
        do {
          rows = await opts.rows(last, BATCH);
          for (const row of rows) {
            if (!stream.send(row.id, row)) return;
            last = row.id;
          }
        } while (rows.length === BATCH && !stream.closed);
      } while (again && !stream.closed);
    } catch (err) {
      opts.onError(err);
      stream.close();
    } finally {
      running = false;
    }
  };

  const off = opts.live.onLogsWritten((kind) => {
    if (kind === opts.kind) void pump();
  });
  const timer = setInterval(() => void pump(), opts.pollMs ?? 5000);
  timer.unref();
  stream.onClose(() => {
    off();
    clearInterval(timer);
  });
  await pump();
}

/** Replays the rows after `opts.after` (the newest `replayMax` of them), or finds where "now" is. */
async function catchUp(opts: LogTailOptions, replayMax: number): Promise<number> {
  const newest = await opts.rows(null, opts.after === null ? 1 : replayMax + 1);
  if (opts.after === null) return newest[0]?.id ?? 0;
  const missed = newest.filter((r) => r.id > opts.after!);
  if (missed.length > replayMax) {
    missed.length = replayMax;
    const skippedBefore = missed[missed.length - 1]!.id;
    opts.stream.send(opts.after, { skipped_before: skippedBefore, replay_max: replayMax }, 'gap');
  }
  for (const row of missed.reverse()) opts.stream.send(row.id, row);
  return missed[missed.length - 1]?.id ?? opts.after;
}
