import { RE2JS } from 're2js';
import { AppError } from '../http/app-error.js';
import type { Entry, LogSource, ReadOptions } from './entries.js';
import type { EntryFilter } from './filters.js';
import { iso, readNotes, scan } from './scan.js';

export interface SearchOptions {
  query: string;
  /** The query is an RE2 regular expression (linear time: no catastrophic backtracking). */
  regex: boolean;
  caseSensitive: boolean;
  /** Entries shown before and after each match. */
  context: number;
  limit: number;
  filter: EntryFilter;
}

export interface SearchHit {
  source: string;
  line: number;
  ts: string | null;
  level: string | null;
  text: string;
  /** [start, end) of the first match in `text`. */
  match: [number, number];
  before: string[];
  after: string[];
}

const MAX_TEXT = 2_000;
const MAX_QUERY = 1_000;

/** Compiles the query with RE2 (linear time), or refuses it with why. */
export function compileQuery(query: string, regex: boolean, caseSensitive: boolean): RE2JS {
  if (query.length === 0 || query.length > MAX_QUERY) throw new AppError('validation', `query: 1 to ${MAX_QUERY} characters`, { errors: [{ field: 'query', message: 'length' }] });
  try {
    return RE2JS.compile(regex ? query : RE2JS.quote(query), caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
  } catch (err) {
    throw new AppError('validation', `query: not a valid RE2 regular expression (${(err as Error).message}); back-references and look-arounds are not supported`, { errors: [{ field: 'query', message: 'invalid regex' }] });
  }
}

/**
 * Entries whose text matches, in file order, each with `context` entries before and after; counts
 * every match even past `limit`, so the caller knows how many were left out.
 */
export async function searchLogs(sources: LogSource[], opt: ReadOptions, o: SearchOptions) {
  const re = compileQuery(o.query, o.regex, o.caseSensitive);
  const hits: SearchHit[] = [];
  const behind: Entry[] = [];
  const waiting: SearchHit[] = [];
  let total = 0;
  const summary = await scan(sources, opt, o.filter, (e) => {
    const text = e.lines.join('\n');
    for (const w of waiting) if (w.source === e.source && w.after.length < o.context) w.after.push(clip(text));
    while (waiting.length && (waiting[0]!.after.length >= o.context || waiting[0]!.source !== e.source)) waiting.shift();
    const m = re.matcher(text);
    if (m.find()) {
      total++;
      if (hits.length < o.limit) {
        const hit: SearchHit = {
          source: e.source, line: e.line, ts: iso(e.ts), level: e.level, text: clip(text), match: [m.start(), Math.min(m.end(), MAX_TEXT)],
          before: behind.filter((b) => b.source === e.source).map((b) => clip(b.lines.join('\n'))), after: [],
        };
        hits.push(hit);
        if (o.context > 0) waiting.push(hit);
      }
    }
    if (o.context > 0) {
      behind.push(e);
      if (behind.length > o.context) behind.shift();
    }
  });
  return {
    sources: summary.sources,
    entries: summary.entries,
    matches: total,
    hits,
    omitted: total - hits.length,
    notes: readNotes(summary),
  };
}

const clip = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s);

export type SearchResult = Awaited<ReturnType<typeof searchLogs>>;
