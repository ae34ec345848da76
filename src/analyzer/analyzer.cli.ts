import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../http/app-error.js';
import { analyzeLogs } from './analyze.js';
import { compareLogs } from './compare.js';
import { DEFAULT_DRAIN, templateText, type Template } from './drain.js';
import type { LogSource, ReadOptions } from './entries.js';
import { FORMATS, LEVELS, type Level, type LogFormat } from './formats.js';
import { resolveLogFiles } from './log-inputs.js';
import { markdownLines, type Report } from './render.js';
import { searchLogs } from './search.js';
import { mineTemplates } from './templates.js';
import { defaultTimeOptions, parseZoneOption } from './timestamps.js';

type Kind = 'analyze' | 'templates' | 'search' | 'compare';

interface Options {
  json?: boolean;
  format?: string;
  from?: string;
  to?: string;
  level?: string;
  contains?: string;
  timezone?: string;
  limit?: string;
  assign?: string;
  similarity?: string;
  regex?: boolean;
  context?: string;
  incident?: string;
  baseline?: string;
}

/** Exit code after Ctrl-C (128 + SIGINT), as shells report it. */
export const CANCELLED_EXIT = 130;

/**
 * Runs one `mcps logs` command; a bad input prints why and exits 1. Ctrl-C (SIGINT) stops the reading (worker
 * threads included), prints `cancelled` and exits 130.
 */
export async function runLogsCommand(kind: Kind, args: unknown[]): Promise<void> {
  const command = args[args.length - 1] as Command;
  const o = command.opts<Options>();
  const positional = args.slice(0, -2) as (string | string[])[];
  const abort = new AbortController();
  // A second Ctrl-C does not wait for the reading to stop.
  const onSigint = () => (abort.signal.aborted ? process.exit(CANCELLED_EXIT) : abort.abort());
  process.on('SIGINT', onSigint);
  try {
    const report = await run(kind, positional, o, abort.signal);
    process.stdout.write(o.json ? `${JSON.stringify(report.result, null, 2)}\n` : `${markdownLines(report).join('\n')}\n`);
  } catch (err) {
    if (abort.signal.aborted) {
      process.stderr.write(`mcps logs ${kind}: cancelled\n`);
      process.exitCode = CANCELLED_EXIT;
      return;
    }
    if (!(err instanceof AppError)) throw err;
    process.stderr.write(`mcps logs ${kind}: ${err.message}\n`);
    process.exitCode = 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function run(kind: Kind, positional: (string | string[])[], o: Options, signal: AbortSignal): Promise<Report> {
  const query = kind === 'search' ? (positional[0] as string) : '';
  const files = positional[positional.length - 1] as string[];
  // A person on this machine may read any file the OS lets them; the roots guard the server only.
  const sources: LogSource[] = (await resolveLogFiles(files.map((f) => path.resolve(f)), ['/'])).map((file) => ({ kind: 'file', file }));
  const opt = readOptions(o);
  opt.signal = signal;
  const filter = { from: o.from, to: o.to, levels: levels(o.level), text: o.contains };
  const limit = o.limit ? positiveInt(o.limit, '--limit') : undefined;
  // Compare reads the files twice (incident, then baseline).
  const total = sources.reduce((n, s) => n + (s.kind === 'file' ? s.file.size : 0), 0) * (kind === 'compare' ? 2 : 1);
  const progress = new Progress(total, !o.json && process.stderr.isTTY === true);
  opt.onBytes = (b) => progress.show(b);
  try {
    switch (kind) {
      case 'analyze':
        return { kind, result: await analyzeLogs(sources, opt, { filter, topErrors: limit ?? 10 }) };
      case 'search':
        return { kind, result: await searchLogs(sources, opt, { query, regex: !!o.regex, caseSensitive: false, context: positiveInt(o.context ?? '0', '--context', 0), limit: limit ?? 50, filter }) };
      case 'templates':
        return { kind, result: { ...(await templates(sources, opt, filter, o, limit ?? 50)), model: null } };
      case 'compare': {
        const incident = window(o.incident!, '--incident');
        return { kind, result: await compareLogs(sources, opt, { incident, baseline: o.baseline ? window(o.baseline, '--baseline') : undefined, params: DEFAULT_DRAIN, filter, limit: limit ?? 15, evidence: 3, growth: 2 }) };
      }
    }
  } finally {
    progress.done();
  }
}

async function templates(sources: LogSource[], opt: ReadOptions, filter: Parameters<typeof mineTemplates>[2]['filter'], o: Options, limit: number) {
  const similarity = o.similarity ? Number(o.similarity) : DEFAULT_DRAIN.similarity;
  if (!(similarity > 0 && similarity <= 1)) throw new AppError('validation', '--similarity: a number in (0, 1]');
  const assigned: { line: number; t: Template | null }[] = [];
  const { result } = await mineTemplates(sources, opt, {
    params: { ...DEFAULT_DRAIN, similarity }, filter, limit,
    onAssign: o.assign ? (line, _source, t) => assigned.push({ line, t }) : undefined,
  });
  if (o.assign) {
    // Written at the end: a template's text is final only once every line has been seen.
    const out = createWriteStream(o.assign);
    for (const a of assigned) {
      const ok = out.write(`${JSON.stringify({ line: a.line, template_id: a.t?.id ?? null, template: a.t ? templateText(a.t) : null })}\n`);
      if (!ok) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  }
  return result;
}

function readOptions(o: Options): ReadOptions {
  if (o.format && !FORMATS.includes(o.format as LogFormat)) throw new AppError('validation', `--format: one of ${FORMATS.join(', ')}`);
  const time = defaultTimeOptions();
  if (o.timezone) {
    try {
      time.zoneOffsetMin = parseZoneOption(o.timezone);
    } catch (err) {
      throw new AppError('validation', `--timezone: ${(err as Error).message}`);
    }
  }
  return { format: o.format as LogFormat | undefined, time };
}

function levels(value: string | undefined): Level[] | undefined {
  const values = value?.split(',').map((v) => v.trim().toLowerCase());
  for (const v of values ?? []) if (!LEVELS.includes(v as Level)) throw new AppError('validation', `--level: one of ${LEVELS.join(', ')}`);
  return values as Level[] | undefined;
}

function window(value: string, flag: string): { from: string; to: string } {
  const [from, to] = value.split('/');
  if (!from || !to) throw new AppError('validation', `${flag}: FROM/TO, e.g. 2024-03-01T12:00:00Z/2024-03-01T13:00:00Z`);
  return { from, to };
}

function positiveInt(value: string, flag: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new AppError('validation', `${flag}: an integer of at least ${min}`);
  return n;
}

/**
 * A progress bar of bytes read out of the input's size (gzip files count compressed, so it may pass 100%), redrawn
 * on one stderr line at most 5 times a second: only on a terminal, never with --json.
 */
export class Progress {
  private last = 0;

  constructor(
    private readonly total: number,
    private readonly enabled: boolean,
    private readonly write: (s: string) => void = (s) => process.stderr.write(s),
  ) {}

  show(bytes: number): void {
    if (!this.enabled || Date.now() - this.last < 200) return;
    this.last = Date.now();
    this.write(`\r\x1b[2K${progressLine(bytes, this.total)}`);
  }

  done(): void {
    if (this.enabled && this.last) this.write('\r\x1b[2K');
  }
}

/** `[#########...........]  45%  123.4 / 274.0 MB` (just the MB read when the size is unknown). */
export function progressLine(bytes: number, total: number, width = 30): string {
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  if (total <= 0) return `reading… ${mb(bytes)} MB`;
  const share = Math.min(1, bytes / total);
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%  ${mb(bytes)} / ${mb(total)} MB`;
}
