import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorkerRunner, type WorkerRunner } from '../lib/worker-call.js';
import { AppError, type ErrorCode } from '../http/app-error.js';
import type { AnalyzeOptions, AnalyzePart } from './analyze.js';
import type { TaskReply } from './analyze-worker.js';
import { detectFileFormat, startsEntry, type LogSource, type ReadOptions } from './entries.js';
import type { LogFormat } from './formats.js';
import { isGzip } from './line-reader.js';
import type { LogFile } from './log-inputs.js';

/** Inputs smaller than this are read on the calling thread. */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;
/** A plain file is cut into parts of at least this size. */
export const PART_MIN_BYTES = 16 * 1024 * 1024;
/**
 * Parts per thread: a thread that finishes early takes the next part, so a thread slowed down (a busy machine) does not
 * leave the others waiting at the end with a big part still to read.
 */
const PARTS_PER_THREAD = 4;
/** How far past a cut point a part may start (to reach the first line of an entry). */
const BOUNDARY_WINDOW = 1024 * 1024;

const WORKER = new URL(`./analyze-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;

/** Threads (capped at os.availableParallelism()), the input size worth threads, the smallest part of a file. */
export interface Limits {
  threads: number;
  minBytes: number;
  partBytes: number;
}

interface Task {
  sources: LogSource[];
  format: LogFormat | undefined;
}

/**
 * Reads big inputs on worker threads (at most os.availableParallelism()), so the calling thread keeps serving and
 * a big file is read by several cores: files are handed out whole, and a plain (not gzip) file of several parts'
 * size is cut at the first line of an entry after each cut point, so no entry is split. Null when the input is small
 * (or inline text): the caller reads it itself. Parts come back in input order.
 */
export async function analyzeInParallel(sources: LogSource[], opt: ReadOptions, o: AnalyzeOptions, limits: Partial<Limits> = {}): Promise<AnalyzePart[] | null> {
  const { threads: asked, minBytes, partBytes } = { threads: availableParallelism(), minBytes: PARALLEL_MIN_BYTES, partBytes: PART_MIN_BYTES, ...limits };
  const threads = Math.max(1, Math.min(asked, availableParallelism()));
  if (sources.some((s) => s.kind !== 'file')) return null;
  const files = sources.map((s) => (s as { file: LogFile }).file);
  if (files.reduce((n, f) => n + f.size, 0) < minBytes) return null;
  const tasks: Task[] = [];
  for (const file of files) tasks.push(...(await fileTasks(file, opt, threads, partBytes)));
  return runTasks(tasks, opt, o, Math.max(1, Math.min(threads, tasks.length)));
}

async function fileTasks(file: LogFile, opt: ReadOptions, threads: number, partBytes: number): Promise<Task[]> {
  const whole: Task[] = [{ sources: [{ kind: 'file', file }], format: opt.format }];
  const wanted = Math.min(threads * PARTS_PER_THREAD, Math.floor(file.size / partBytes));
  if (threads < 2 || wanted < 2 || (await isGzip(file.path))) return whole;
  const format = opt.format ?? (await detectFileFormat(file, opt));
  const starts = [0];
  for (let i = 1; i < wanted; i++) {
    const at = await entryStartAfter(file.path, Math.floor((file.size * i) / wanted), format, opt);
    if (at !== null && at > starts[starts.length - 1]! && at < file.size) starts.push(at);
  }
  return starts.map((start, index) => ({ sources: [{ kind: 'file', file, part: { index, start, end: starts[index + 1] ?? file.size } }], format }));
}

/** The offset of the first line at or after `from` (a line start) that starts an entry, within the window; null if none. */
async function entryStartAfter(path: string, from: number, format: LogFormat, opt: ReadOptions): Promise<number | null> {
  const fh = await open(path, 'r');
  try {
    const { bytesRead, buffer } = await fh.read(Buffer.alloc(BOUNDARY_WINDOW), 0, BOUNDARY_WINDOW, from - 1);
    const window = buffer.subarray(0, bytesRead);
    // Byte from-1 is read too: a line starts at `from` when it is a newline.
    let line = window.indexOf(10) + 1;
    while (line > 0) {
      const nl = window.indexOf(10, line);
      if (nl === -1) return null;
      const text = window.toString('utf8', line, nl > line && window[nl - 1] === 13 ? nl - 1 : nl);
      if (startsEntry(text, format, opt)) return from - 1 + line;
      line = nl + 1;
    }
    return null;
  } finally {
    await fh.close();
  }
}

async function runTasks(tasks: Task[], opt: ReadOptions, o: AnalyzeOptions, threads: number): Promise<AnalyzePart[]> {
  if (opt.signal?.aborted) throw new AppError('bad_request', 'cancelled');
  const progress = new SharedArrayBuffer(8 * tasks.length);
  const bytes = new Float64Array(progress);
  const runners: WorkerRunner[] = Array.from({ length: threads }, () => createWorkerRunner(WORKER, { name: 'log analysis worker' }));
  const stop = () => void Promise.all(runners.map((r) => r.close()));
  opt.signal?.addEventListener('abort', stop, { once: true });
  const ticker = opt.onBytes ? setInterval(() => opt.onBytes!(bytes.reduce((a, b) => a + b, 0)), 200) : null;
  const parts: AnalyzePart[] = new Array(tasks.length);
  let next = 0;
  const work = async (runner: WorkerRunner) => {
    while (next < tasks.length) {
      const i = next++;
      const t = tasks[i]!;
      const reply = await runner.call<TaskReply>('analyzeTask', [t.sources, t.format, opt.time, o, progress, i]);
      if (!reply.ok) throw new AppError(reply.code as ErrorCode, reply.message);
      parts[i] = reply.part;
    }
  };
  try {
    await Promise.all(runners.map(work));
  } catch (err) {
    if (opt.signal?.aborted) throw new AppError('bad_request', 'cancelled');
    throw err;
  } finally {
    if (ticker) clearInterval(ticker);
    opt.signal?.removeEventListener('abort', stop);
    stop();
  }
  opt.onBytes?.(bytes.reduce((a, b) => a + b, 0));
  return parts;
}
