import { AppError } from '../http/app-error.js';

/**
 * Date-laid-out keys: a pattern of `YYYY`, `MM`, `DD` and `HH` tokens with literal characters
 * between them (`YYYY/MM/DD`, `YYYYMMDD`, `dt=YYYY-MM-DD/HH`), found in the key after the prefix.
 */
export interface DateLayout {
  /** The date a key carries (UTC), with the span it covers, or null when it carries none. */
  dateOf(rest: string): { start: number; end: number; label: string } | null;
  /** The key fragment of a UTC day (`2026/12/01`), when the pattern has day precision at most; else null. */
  dayPrefix(day: Date): string | null;
}

const TOKEN = /YYYY|MM|DD|HH/g;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function compileDateLayout(pattern: string): DateLayout {
  const tokens: string[] = [];
  let source = '';
  let last = 0;
  for (const m of pattern.matchAll(TOKEN)) {
    source += escape(pattern.slice(last, m.index)) + (m[0] === 'YYYY' ? '(\\d{4})' : '(\\d{2})');
    tokens.push(m[0]);
    last = m.index + m[0].length;
  }
  source += escape(pattern.slice(last));
  if (!tokens.includes('YYYY')) throw new AppError('validation', `date_pattern '${pattern}' has no YYYY`);
  const re = new RegExp(`^${source}`);
  const hasHour = tokens.includes('HH');
  const hasDay = tokens.includes('DD');
  const hasMonth = tokens.includes('MM');

  return {
    dateOf(rest) {
      const m = re.exec(rest);
      if (!m) return null;
      const part = (t: string, dflt: number) => (tokens.includes(t) ? Number(m[tokens.indexOf(t) + 1]) : dflt);
      const [y, mo, d, h] = [part('YYYY', 0), part('MM', 1), part('DD', 1), part('HH', 0)];
      const start = Date.UTC(y, mo - 1, d, h);
      const check = new Date(start);
      if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23) return null;
      const end = hasHour ? start + 3_600_000 : hasDay ? Date.UTC(y, mo - 1, d + 1) : hasMonth ? Date.UTC(y, mo, 1) : Date.UTC(y + 1, 0, 1);
      const label = `${y}-${pad(mo)}${hasDay ? `-${pad(d)}` : ''}${hasHour ? `T${pad(h)}` : ''}`;
      return { start, end, label };
    },
    dayPrefix(day) {
      if (hasHour || !hasDay) return null;
      return pattern
        .replace('YYYY', String(day.getUTCFullYear()))
        .replace('MM', pad(day.getUTCMonth() + 1))
        .replace('DD', pad(day.getUTCDate()));
    },
  };
}

/** `YYYY-MM-DD` (the whole day, UTC) or an ISO time, as epoch ms; `end` rounds a bare date to its day's end. */
export function parseBound(text: string, field: string, end: boolean): number {
  const bare = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const ms = Date.parse(bare ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(ms)) throw new AppError('validation', `${field}: not a date`, { errors: [{ field, message: 'not a date' }] });
  return bare && end ? ms + 86_400_000 - 1 : ms;
}
