import { parseTextFast } from './text-fast.js';
import { isoFromMatch, parseAnyTime, parseBsd, parseClf, parseIso, ISO_RE, type TimeOptions } from './timestamps.js';

export const FORMATS = ['json', 'logfmt', 'access', 'syslog5424', 'syslog3164', 'text', 'raw'] as const;
export type LogFormat = (typeof FORMATS)[number];

export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type Level = (typeof LEVELS)[number];

/** The first line of an entry, parsed. */
export interface Parsed {
  ts: number | null;
  level: Level | null;
  message: string;
  /** Access logs only. */
  status?: number;
  latencyMs?: number;
}

type Parser = (line: string, opt: TimeOptions) => Parsed | null;

const LEVEL_ALIASES: Record<string, Level> = {
  trace: 'trace', trc: 'trace', finest: 'trace', debug: 'debug', dbg: 'debug', fine: 'debug', verbose: 'debug',
  info: 'info', inf: 'info', information: 'info', notice: 'info', warn: 'warn', warning: 'warn', wrn: 'warn',
  error: 'error', err: 'error', eror: 'error', severe: 'error', fatal: 'fatal', crit: 'fatal', critical: 'fatal',
  emerg: 'fatal', alert: 'fatal', panic: 'fatal', d: 'debug', i: 'info', w: 'warn', e: 'error', f: 'fatal', v: 'trace',
};

export function normalizeLevel(value: unknown): Level | null {
  if (typeof value === 'number') return value >= 60 ? 'fatal' : value >= 50 ? 'error' : value >= 40 ? 'warn' : value >= 30 ? 'info' : value >= 20 ? 'debug' : 'trace';
  return typeof value === 'string' ? (LEVEL_ALIASES[value.toLowerCase()] ?? null) : null;
}

const SYSLOG_SEVERITY: Level[] = ['fatal', 'fatal', 'fatal', 'error', 'warn', 'info', 'info', 'debug'];

const JSON_TIME = ['timestamp', 'time', 'ts', '@timestamp', 'date', 'datetime', 't'];
const JSON_LEVEL = ['level', 'severity', 'lvl', 'loglevel', 'log_level', 'levelname', 'status_level'];
const JSON_MSG = ['message', 'msg', 'log', 'text', 'event', 'error'];

function pick(obj: Record<string, unknown>, keys: string[]): unknown {
  for (const k of keys) if (obj[k] !== undefined) return obj[k];
  return undefined;
}

const parseJson: Parser = (line, opt) => {
  if (line.charCodeAt(0) !== 123) return null;
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    return null;
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return null;
  const o = obj as Record<string, unknown>;
  const msg = pick(o, JSON_MSG);
  const status = typeof o['status'] === 'number' ? o['status'] : undefined;
  const latency = pick(o, ['latency_ms', 'duration_ms', 'request_time_ms', 'elapsed_ms']);
  return {
    ts: parseAnyTime(pick(o, JSON_TIME), opt),
    level: normalizeLevel(pick(o, JSON_LEVEL)) ?? (status !== undefined ? statusLevel(status) : null),
    message: typeof msg === 'string' ? msg : line,
    ...(status !== undefined ? { status } : {}),
    ...(typeof latency === 'number' ? { latencyMs: latency } : {}),
  };
};

/** A key starts the line or follows a space, so a long run without `=` is scanned once (no quadratic retries). */
const LOGFMT_PAIR = /(?<=^|\s)([\w.@-]+)=("(?:[^"\\]|\\.)*"|\S*)/g;

const parseLogfmt: Parser = (line, opt) => {
  const o: Record<string, string> = {};
  let n = 0;
  let covered = 0;
  for (const m of line.matchAll(LOGFMT_PAIR)) {
    const v = m[2]!;
    o[m[1]!.toLowerCase()] = v.startsWith('"') ? v.slice(1, -1).replace(/\\"/g, '"') : v;
    n++;
    covered += m[0].length + 1;
  }
  if (n < 2 || covered < line.length * 0.6) return null;
  const msg = pick(o, JSON_MSG);
  return { ts: parseAnyTime(pick(o, JSON_TIME), opt), level: normalizeLevel(pick(o, JSON_LEVEL)), message: typeof msg === 'string' ? msg : line };
};

/** nginx/Apache combined (and common) access log, optionally followed by a request time. */
const ACCESS_RE = /^(\S+) \S+ \S+ \[([^\]]+)\] "([^"]*)" (\d{3}) (\d+|-)(?: "[^"]*" "[^"]*")?(?: (\d+(?:\.\d+)?))?/;

const parseAccess: Parser = (line, opt) => {
  const m = ACCESS_RE.exec(line);
  if (!m) return null;
  const status = Number(m[4]);
  const t = m[6] ? Number(m[6]) : undefined;
  // nginx $request_time is seconds with a dot; Apache %D is microseconds.
  const latencyMs = t === undefined ? undefined : m[6]!.includes('.') ? t * 1000 : t / 1000;
  return { ts: parseClf(m[2]!, opt), level: statusLevel(status), message: `${m[3]} ${status}`, status, ...(latencyMs !== undefined ? { latencyMs } : {}) };
};

function statusLevel(status: number): Level {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

const SYSLOG5424_RE = /^<(\d{1,3})>\d{1,2} (\S+) \S+ \S+ \S+ \S+ (?:-|(?:\[[^\]]*\])+) ?(.*)$/;

const parseSyslog5424: Parser = (line, opt) => {
  const m = SYSLOG5424_RE.exec(line);
  if (!m) return null;
  return { ts: m[2] === '-' ? null : parseIso(m[2]!, opt), level: SYSLOG_SEVERITY[Number(m[1]) % 8]!, message: m[3]!.replace(/^\uFEFF/, '') };
};

const SYSLOG3164_RE = /^(?:<(\d{1,3})>)?(\w{3}\s+\d{1,2} \d{2}:\d{2}:\d{2}) \S+ ([^:\s[]+)(?:\[\d+\])?: ?(.*)$/;

const parseSyslog3164: Parser = (line, opt) => {
  const m = SYSLOG3164_RE.exec(line);
  if (!m) return null;
  const message = m[4]!;
  return { ts: parseBsd(m[2]!, opt), level: m[1] ? SYSLOG_SEVERITY[Number(m[1]) % 8]! : levelInText(message), message };
};

const TEXT_RE = new RegExp(`${ISO_RE.source}\\]?\\s+\\[?([A-Za-z]+)\\]?:?\\s+(.*)$`);

/** `2024-03-01T12:00:00Z LEVEL message` (also `[LEVEL]`, `LEVEL:`, a space instead of T). */
const parseText: Parser = (line, opt) => {
  const fast = parseTextFast(line, opt, normalizeLevel);
  return fast === undefined ? parseTextRegex(line, opt) : fast;
};

/** The definition of the `text` format (parseTextFast reads its common shape faster, with the same result). */
export const parseTextRegex: Parser = (line, opt) => {
  const m = TEXT_RE.exec(line.charCodeAt(0) === 91 ? line.slice(1) : line);
  if (!m) return null;
  const level = normalizeLevel(m[9]);
  if (!level) return null;
  return { ts: isoFromMatch(m, opt), level, message: m[10]! };
};

const parseRaw: Parser = (line, opt) => ({ ts: leadingTime(line, opt), level: levelInText(line), message: line });

/** The time a `raw` line starts with (ISO 8601, optionally after `[`), or null. */
export function leadingTime(line: string, opt: TimeOptions): number | null {
  return parseIso(line.charCodeAt(0) === 91 ? line.slice(1) : line, opt);
}

const LEVEL_WORD = /\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|SEVERE|FATAL|CRITICAL|PANIC)\b/;

function levelInText(text: string): Level | null {
  const m = LEVEL_WORD.exec(text.length > 200 ? text.slice(0, 200) : text);
  return m ? normalizeLevel(m[1]) : null;
}

export const PARSERS: Record<LogFormat, Parser> = {
  json: parseJson,
  logfmt: parseLogfmt,
  access: parseAccess,
  syslog5424: parseSyslog5424,
  syslog3164: parseSyslog3164,
  text: parseText,
  raw: parseRaw,
};

/**
 * The format of a file from its first lines: the most specific parser that reads at least 60% of the
 * lines that are not stack-trace continuations; `raw` otherwise.
 */
export function detectFormat(sample: string[], opt: TimeOptions): LogFormat {
  const lines = sample.map((l) => (l.length > 4096 ? l.slice(0, 4096) : l)).filter((l) => l.trim() !== '' && !isContinuation(l));
  if (lines.length === 0) return 'raw';
  for (const format of FORMATS) {
    if (format === 'raw') break;
    const ok = lines.filter((l) => PARSERS[format](l, opt) !== null).length;
    if (ok / lines.length >= 0.6) return format;
  }
  return 'raw';
}

/**
 * Lines that continue the previous entry: stack frames and headers of Java (`at ...`, `Caused by:`,
 * `... 3 more`), Python (`Traceback`, `  File "..."`), Node (`    at ...`), Go (`goroutine 1 [running]:`,
 * `main.f(...)` then a tab-indented `file.go:12 +0x1d`), and any indented line.
 */
const CONTINUATION = /^(?:\s|Caused by:|Traceback \(most recent call last\):|goroutine \d+ \[|\.\.\. \d+ more|[\w$.]+(?:Error|Exception)(?::|$)|[\w./*()-]+\(.*\)$|During handling of the above exception|The above exception was the direct cause|\}|\]|$)/;

export function isContinuation(line: string): boolean {
  return CONTINUATION.test(line.length > 2000 ? line.slice(0, 2000) : line);
}
