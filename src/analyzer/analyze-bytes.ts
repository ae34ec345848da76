import { isUtf8 } from 'node:buffer';
import { AppError } from '../http/app-error.js';
import type { Group, Tally } from './analyze-tally.js';
import { MAX_ENTRY_LINES, type Entry, type LogSource, type ReadOptions, type SourceInfo } from './entries.js';
import { passAll, type EntryTest } from './filters.js';
import { normalizeLevel, PARSERS, type Level } from './formats.js';
import { fileChunks, lineText, MAX_LINE_BYTES, readError, textStream, type ReadStats } from './line-reader.js';
import { ENTRY, NOT_ENTRY, parseTextBytes, type TextHead } from './text-bytes.js';
import type { TimeOptions } from './timestamps.js';

/** Examples of error groups are cut here (as analyze.ts cuts an entry's lines). */
const EXAMPLE_CHARS = 2000;
const LS = Buffer.from('\u2028', 'utf8');
const PS = Buffer.from('\u2029', 'utf8');

/**
 * analyze_logs over one source of the `text` format read as bytes: lines are found with indexOf, the time and
 * level of each line read from its bytes (parseTextBytes), and strings made only for what needs one: the message
 * and lines of an error or fatal entry, and a line the byte reader leaves undecided (then read by PARSERS.text).
 * The result is the entry reader's (readEntries then the same counts), line for line: lines split and counted as
 * readLines does (CR dropped, cut at MAX_LINE_BYTES, invalid UTF-8 counted), a line that does not start an entry
 * continuing the previous one. A stretch of a chunk that is not valid UTF-8 or holds U+2028/U+2029 is read line
 * by line as strings. The filter must not have a `text` condition (it reads the lines).
 */
export async function analyzeTextBytes(source: LogSource, opt: ReadOptions, read: ReadStats, infos: SourceInfo[], tally: Tally, test: EntryTest): Promise<{ entries: number; matched: number }> {
  const name = source.kind === 'file' ? source.file.name : source.name;
  const before = { bytes: read.bytes, lines: read.lines };
  const part = source.kind === 'file' ? source.part : undefined;
  const info: SourceInfo = { name, format: 'text', bytes: 0, lines: 0, ...(part ? { part: part.index } : {}) };
  infos.push(info);
  const stream = source.kind === 'file' ? fileChunks(source.file.path, part) : textStream(source.text);
  const pass = new TextPass(opt.time, tally, test);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let cut = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (opt.signal?.aborted) throw new AppError('bad_request', 'cancelled');
      read.bytes += chunk.length;
      let start = 0;
      const last = chunk.lastIndexOf(10);
      if (last !== -1) {
        if (pendingBytes || cut) {
          const nl = chunk.indexOf(10);
          const piece = chunk.subarray(0, nl);
          const whole = pendingBytes ? Buffer.concat([...pending, piece]) : piece;
          pass.text(lineText(whole, read, cut || whole.length > MAX_LINE_BYTES));
          pending = [];
          pendingBytes = 0;
          cut = false;
          start = nl + 1;
        }
        if (start <= last) readLinesOf(chunk, start, last, read, pass);
        start = last + 1;
      }
      if (start < chunk.length) {
        const rest = chunk.subarray(start);
        const room = MAX_LINE_BYTES - pendingBytes;
        if (room > 0) {
          const kept = rest.length > room ? rest.subarray(0, room) : rest;
          pending.push(Buffer.from(kept));
          pendingBytes += kept.length;
        }
        if (rest.length > room) cut = true;
      }
      opt.onBytes?.(read.bytes);
    }
  } catch (err) {
    throw readError(err, name);
  }
  if (pendingBytes || cut) pass.text(lineText(Buffer.concat(pending), read, cut));
  pass.close();
  info.bytes = read.bytes - before.bytes;
  info.lines = read.lines - before.lines;
  return { entries: pass.entries, matched: pass.matched };
}

/** The lines of chunk[from, last], each ending with a newline (`last` is the last one). */
function readLinesOf(chunk: Buffer, from: number, last: number, read: ReadStats, pass: TextPass): void {
  // A stretch of valid UTF-8 without U+2028/U+2029 (rare: then a byte 0xE2 is seen first) is read as bytes.
  let plain = isUtf8(chunk.subarray(from, last));
  if (plain) {
    const e2 = chunk.indexOf(0xe2, from);
    if (e2 !== -1 && e2 < last) plain = !within(chunk.indexOf(LS, e2), last) && !within(chunk.indexOf(PS, e2), last);
  }
  if (!plain) {
    for (let a = from; a <= last; ) {
      const nl = chunk.indexOf(10, a);
      pass.text(lineText(chunk.subarray(a, nl), read, nl - a > MAX_LINE_BYTES));
      a = nl + 1;
    }
    return;
  }
  const mayHoldCr = within(chunk.indexOf(13, from), last);
  for (let a = from; a <= last; ) {
    const nl = chunk.indexOf(10, a);
    if (nl - a > MAX_LINE_BYTES) pass.text(lineText(chunk.subarray(a, nl), read, true));
    else {
      read.lines++;
      pass.bytes(chunk, a, nl > a && chunk[nl - 1] === 13 ? nl - 1 : nl, mayHoldCr);
    }
    a = nl + 1;
  }
}

const within = (at: number, end: number): boolean => at !== -1 && at < end;

/** The entries of one source, fed line by line: counted as they start; an error entry's lines collected for its example. */
class TextPass {
  entries = 0;
  matched = 0;
  /** An entry is open: a line that does not start one continues it. */
  private open = false;
  private lines = 0;
  /** The group the open entry made (its example is being collected), with the lines so far. */
  private group: Group | null = null;
  private example: string[] = [];
  private exampleChars = 0;
  private readonly head: TextHead = { ts: 0, level: null, message: 0 };
  private readonly probe: Entry = { source: '', line: 0, ts: null, level: null, message: '', lines: [] };

  constructor(
    private readonly time: TimeOptions,
    private readonly tally: Tally,
    private readonly test: EntryTest,
  ) {}

  /** A line as bytes b[from, to): valid UTF-8, no newline, no U+2028/U+2029; `mayHoldCr` when a CR may be inside. */
  bytes(b: Buffer, from: number, to: number, mayHoldCr: boolean): void {
    const head = this.head;
    const r = parseTextBytes(b, from, to, mayHoldCr, this.time, normalizeLevel, head);
    if (r === ENTRY) {
      if (this.start(head.ts, head.level)) {
        const made = this.tally.errorBytes(b, head.message, to, head.ts, head.level!);
        if (made) this.collect(made, b.toString('utf8', from, to));
      }
    } else if (r === NOT_ENTRY) {
      if (this.continued()) this.addExample(b.toString('utf8', from, to));
    } else this.text(b.toString('utf8', from, to));
  }

  /** A line as a string: read by the `text` parser. */
  text(line: string): void {
    const parsed = PARSERS.text(line, this.time);
    if (parsed) {
      if (this.start(parsed.ts, parsed.level)) {
        const made = this.tally.error(parsed.message, parsed.ts, parsed.level!);
        if (made) this.collect(made, line);
      }
    } else if (this.continued()) this.addExample(line);
  }

  /** Ends the open entry (at the next entry or the end of the source). */
  close(): void {
    if (this.group) {
      this.group.example = this.example.join('\n').slice(0, EXAMPLE_CHARS);
      this.group = null;
      this.example = [];
    }
    this.open = false;
  }

  /** An entry starts: counted; true when it is an error or fatal entry that passed the filter (its message is grouped). */
  private start(ts: number | null, level: Level | null): boolean {
    this.close();
    this.open = true;
    this.lines = 1;
    this.entries++;
    if (this.test !== passAll) {
      this.probe.ts = ts;
      this.probe.level = level;
      if (!this.test(this.probe)) return false;
    }
    this.matched++;
    this.tally.count(ts, level);
    return level === 'error' || level === 'fatal';
  }

  /** The open entry made this group: its lines are collected for the group's example. */
  private collect(made: Group, line: string): void {
    this.group = made;
    this.example = [line];
    this.exampleChars = line.length;
  }

  /** A line that does not start an entry continues the open one, else is an entry of its own (no time, no level). True when its text goes to the example. */
  private continued(): boolean {
    if (!this.open) {
      this.start(null, null);
      return false;
    }
    this.lines++;
    return this.group !== null && this.lines <= MAX_ENTRY_LINES && this.exampleChars < EXAMPLE_CHARS;
  }

  private addExample(line: string): void {
    this.example.push(line);
    this.exampleChars += 1 + line.length;
  }
}
