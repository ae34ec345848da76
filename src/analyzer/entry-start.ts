import { isContinuation, leadingTime, PARSERS, type LogFormat } from './formats.js';
import type { TimeOptions } from './timestamps.js';

/**
 * Whether a line starts an entry, as readEntries decides (entries.ts), with the entry's message and time; null for a
 * line that continues the entry before it. The first line of a source always starts one (its text is the message
 * when it does not parse). `raw` skips the level the full parser would look for (not needed to mine templates).
 */
export function entryStart(text: string, format: LogFormat, time: TimeOptions, first: boolean): { message: string; ts: number | null } | null {
  if (format === 'raw') return { message: text, ts: leadingTime(text, time) };
  const parsed = PARSERS[format](text, time);
  if (parsed && (format !== 'logfmt' || first || !isContinuation(text))) return parsed;
  return first ? { message: text, ts: null } : null;
}
