import { AppError } from '../http/app-error.js';
import { analyzePart, type AnalyzeOptions, type AnalyzePart } from './analyze.js';
import type { LogSource } from './entries.js';
import type { LogFormat } from './formats.js';
import type { TimeOptions } from './timestamps.js';

/** Entry point run in a worker thread by analyze-parallel.ts (via lib/worker-call.ts). */

export type TaskReply = { ok: true; part: AnalyzePart } | { ok: false; code: string; message: string };

/** Reads the sources of one task; bytes read so far go to `progress[slot]` (shared with the caller). */
export async function analyzeTask(sources: LogSource[], format: LogFormat | undefined, time: TimeOptions, o: AnalyzeOptions, progress: SharedArrayBuffer, slot: number): Promise<TaskReply> {
  const bytes = new Float64Array(progress);
  try {
    const part = await analyzePart(sources, { format, time, onBytes: (b) => (bytes[slot] = b) }, o);
    bytes[slot] = part.summary.read.bytes;
    return { ok: true, part };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, code: err.code, message: err.message };
    throw err;
  }
}
