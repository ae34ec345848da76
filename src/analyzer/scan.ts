import { readEntries, type Entry, type LogSource, type ReadOptions, type SourceInfo } from './entries.js';
import { compileFilter, type EntryFilter, type EntryTest } from './filters.js';
import { newReadStats, type ReadStats } from './line-reader.js';

export interface ScanSummary {
  sources: SourceInfo[];
  read: ReadStats;
  /** Entries read, and how many passed the filter. */
  entries: number;
  matched: number;
}

/** Reads every source once, calling `onEntry` for each entry that passes the filter. */
export async function scan(sources: LogSource[], opt: ReadOptions, filter: EntryFilter, onEntry: (e: Entry) => void): Promise<ScanSummary> {
  const read = newReadStats();
  const infos: SourceInfo[] = [];
  const { entries, matched } = await scanInto(sources, opt, compileFilter(filter, opt.time), onEntry, read, infos);
  return { sources: infos, read, entries, matched };
}

/** `scan` adding to the read stats and source infos given (a pass that reads some sources another way too). */
export async function scanInto(sources: LogSource[], opt: ReadOptions, test: EntryTest, onEntry: (e: Entry) => void, read: ReadStats, infos: SourceInfo[]): Promise<{ entries: number; matched: number }> {
  let entries = 0;
  let matched = 0;
  for await (const batch of readEntries(sources, opt, read, infos)) {
    entries += batch.length;
    for (const e of batch) {
      if (!test(e)) continue;
      matched++;
      onEntry(e);
    }
  }
  return { entries, matched };
}

/** The summaries of parts read in parallel, as one: parts of the same source (consecutive) become one source again. */
export function mergeSummaries(parts: ScanSummary[]): ScanSummary {
  const read = newReadStats();
  const sources: SourceInfo[] = [];
  let entries = 0;
  let matched = 0;
  for (const p of parts) {
    read.bytes += p.read.bytes;
    read.lines += p.read.lines;
    read.cutLines += p.read.cutLines;
    read.invalidUtf8Lines += p.read.invalidUtf8Lines;
    entries += p.entries;
    matched += p.matched;
    for (const s of p.sources) {
      const last = sources[sources.length - 1];
      if (s.part && s.part > 0 && last && last.name === s.name) {
        last.bytes += s.bytes;
        last.lines += s.lines;
      } else sources.push({ name: s.name, format: s.format, bytes: s.bytes, lines: s.lines });
    }
  }
  return { sources, read, entries, matched };
}

export function readNotes(s: ScanSummary): string[] {
  const notes: string[] = [];
  if (s.read.cutLines) notes.push(`${s.read.cutLines} line(s) longer than 10 MB were cut at 10 MB`);
  if (s.read.invalidUtf8Lines) notes.push(`${s.read.invalidUtf8Lines} line(s) were not valid UTF-8 (bad bytes shown as U+FFFD)`);
  return notes;
}

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
