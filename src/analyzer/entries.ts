import { AppError } from '../http/app-error.js';
import { detectFormat, isContinuation, PARSERS, type Level, type LogFormat, type Parsed } from './formats.js';
import type { LogFile } from './log-inputs.js';
import { newReadStats, openLogStream, readLines, textStream, type Line, type ReadStats } from './line-reader.js';
import type { TimeOptions } from './timestamps.js';

/** One log entry: its first line parsed, with the continuation lines (stack traces) attached. */
export interface Entry {
  source: string;
  line: number;
  ts: number | null;
  level: Level | null;
  message: string;
  /** The first line and its continuation lines. */
  lines: string[];
  status?: number;
  latencyMs?: number;
}

/** Where the lines come from: files under the roots, or inline text. */
export type LogSource = { kind: 'file'; file: LogFile; part?: FilePart } | { kind: 'text'; name: string; text: string };

/** Bytes [start, end) of a plain (not gzip) file, starting at an entry's first line: part `index` of a file read in parallel. */
export interface FilePart {
  index: number;
  start: number;
  end: number;
}

export interface ReadOptions {
  /** A format for every source, or detection per source. */
  format?: LogFormat | undefined;
  time: TimeOptions;
  signal?: AbortSignal | undefined;
  /** Called after each batch with the bytes read so far (progress). */
  onBytes?: ((bytes: number) => void) | undefined;
}

export interface SourceInfo {
  name: string;
  format: LogFormat;
  bytes: number;
  lines: number;
  /** Set when only a part of the file was read (merged again by mergeSummaries). */
  part?: number;
}

/** A continuation line beyond this many is dropped from its entry (still counted as read). */
export const MAX_ENTRY_LINES = 200;
const SAMPLE_LINES = 50;

/**
 * Reads every source in order and yields its entries, a batch (one chunk's worth) at a time. Formats are detected per source unless given;
 * in `raw` every line is a message, elsewhere a line that does not start an entry continues the previous one.
 */
export async function* readEntries(sources: LogSource[], opt: ReadOptions, stats: ReadStats, infos: SourceInfo[]): AsyncGenerator<Entry[]> {
  for (const source of sources) {
    const name = source.kind === 'file' ? source.file.name : source.name;
    const before = { bytes: stats.bytes, lines: stats.lines };
    const part = source.kind === 'file' ? source.part : undefined;
    const info: SourceInfo = { name, format: opt.format ?? 'raw', bytes: 0, lines: 0, ...(part ? { part: part.index } : {}) };
    infos.push(info);
    const stream = source.kind === 'file' ? await openLogStream(source.file.path, part) : textStream(source.text);
    let sample: Line[] | null = opt.format ? null : [];
    let current: Entry | null = null;
    const parse = (line: Line): Entry | null => {
      const parsed = PARSERS[info.format](line.text, opt.time);
      // Only logfmt reads an indented `key=value` frame line as an entry of its own.
      if (parsed && (info.format !== 'logfmt' || !current || !isContinuation(line.text))) return entryOf(name, line, parsed);
      if (current && (parsed === null || isContinuation(line.text))) {
        if (current.lines.length < MAX_ENTRY_LINES) current.lines.push(line.text);
        return null;
      }
      return { source: name, line: line.no, ts: null, level: null, message: line.text, lines: [line.text] };
    };
    const feed = (lines: Line[]): Entry[] => {
      const done: Entry[] = [];
      for (const line of lines) {
        const next = parse(line);
        if (next) {
          if (current) done.push(current);
          current = next;
        }
      }
      return done;
    };
    for await (const batch of readLines(stream, stats, name, opt.signal)) {
      if (sample) {
        sample.push(...batch);
        if (sample.length < SAMPLE_LINES) continue;
        info.format = detect(name, sample.slice(0, SAMPLE_LINES), opt);
        const held = sample;
        sample = null;
        yield feed(held);
      } else yield feed(batch);
      opt.onBytes?.(stats.bytes);
    }
    if (sample) {
      info.format = detect(name, sample, opt);
      yield feed(sample);
    }
    if (current) yield [current];
    info.bytes = stats.bytes - before.bytes;
    info.lines = stats.lines - before.lines;
  }
}

function entryOf(source: string, line: Line, p: Parsed): Entry {
  const e: Entry = { source, line: line.no, ts: p.ts, level: p.level, message: p.message, lines: [line.text] };
  if (p.status !== undefined) e.status = p.status;
  if (p.latencyMs !== undefined) e.latencyMs = p.latencyMs;
  return e;
}

/** The format a whole-file read would detect (its first SAMPLE_LINES lines), refusing binary data. */
export async function detectFileFormat(file: LogFile, opt: ReadOptions): Promise<LogFormat> {
  return detectSourceFormat({ kind: 'file', file }, opt);
}

/** The format readEntries would detect for this source (a file, a part of one, inline text), refusing binary data. */
export async function detectSourceFormat(source: LogSource, opt: ReadOptions): Promise<LogFormat> {
  const name = source.kind === 'file' ? source.file.name : source.name;
  const stream = source.kind === 'file' ? await openLogStream(source.file.path, source.part) : textStream(source.text);
  const sample: Line[] = [];
  try {
    for await (const batch of readLines(stream, newReadStats(), name, opt.signal)) {
      sample.push(...batch);
      if (sample.length >= SAMPLE_LINES) break;
    }
  } finally {
    if ('destroy' in stream) (stream as { destroy(): void }).destroy();
  }
  return detect(name, sample.slice(0, SAMPLE_LINES), opt);
}

/** True when this line starts an entry in a file of this format (in the middle of a file). */
export function startsEntry(text: string, format: LogFormat, opt: ReadOptions): boolean {
  return PARSERS[format](text, opt.time) !== null && (format !== 'logfmt' || !isContinuation(text));
}

/** Detects the format of a source from its first lines, refusing binary data. */
function detect(name: string, sample: Line[], opt: ReadOptions): LogFormat {
  const texts = sample.map((l) => l.text);
  const chars = texts.reduce((n, t) => n + Math.min(t.length, 4096), 0);
  const bad = texts.reduce((n, t) => n + countBinary(t.slice(0, 4096)), 0);
  if (chars > 0 && bad / chars > 0.1) throw new AppError('unprocessable', `'${name}' looks binary, not a text log (name its format to read it anyway)`);
  return detectFormat(texts, opt.time);
}

/** NUL and other control characters (not tab, CR, LF, FF, VT) and U+FFFD: what text logs do not hold. */
function countBinary(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && (c < 9 || c > 13)) || c === 0xfffd) n++;
  }
  return n;
}
