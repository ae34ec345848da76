import { AppError } from '../http/app-error.js';
import type { Entry } from './entries.js';
import type { Level } from './formats.js';
import { parseAnyTime, type TimeOptions } from './timestamps.js';

/** Which entries count: a time range (entries without a time are left out when one is set), levels, a text. */
export interface EntryFilter {
  from?: string | undefined;
  to?: string | undefined;
  levels?: Level[] | undefined;
  /** Case-insensitive substring of the entry (all its lines). */
  text?: string | undefined;
}

export type EntryTest = (e: Entry) => boolean;

/** The test of a filter that lets every entry through (a reader may skip calling it). */
export const passAll: EntryTest = () => true;

export function compileFilter(f: EntryFilter, time: TimeOptions): EntryTest {
  const from = bound(f.from, 'from', time);
  const to = bound(f.to, 'to', time);
  const levels = f.levels?.length ? new Set<Level | null>(f.levels) : null;
  const text = f.text ? f.text.toLowerCase() : null;
  if (from === null && to === null && !levels && !text) return passAll;
  return (e) => {
    if (from !== null && (e.ts === null || e.ts < from)) return false;
    if (to !== null && (e.ts === null || e.ts >= to)) return false;
    if (levels && !levels.has(e.level)) return false;
    if (text && !e.lines.some((l) => l.toLowerCase().includes(text))) return false;
    return true;
  };
}

export function bound(value: string | undefined, field: string, time: TimeOptions): number | null {
  if (value === undefined) return null;
  const ms = parseAnyTime(value, time);
  if (ms === null) throw new AppError('validation', `${field}: '${value}' is not a time (use ISO 8601, e.g. 2024-03-01T12:00:00Z)`, { errors: [{ field, message: 'not a time' }] });
  return ms;
}

/** True when the filter lets every entry through. */
export function isNoFilter(f: EntryFilter): boolean {
  return f.from === undefined && f.to === undefined && !f.levels?.length && !f.text;
}
