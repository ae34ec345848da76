/** Timestamps as found in logs, to epoch milliseconds. A time without a zone is read in `defaultZoneOffsetMin` (UTC by default). */

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };

export interface TimeOptions {
  /** Minutes east of UTC for times written without a zone. */
  zoneOffsetMin: number;
  /** Year for syslog RFC 3164 stamps, which have none. */
  year: number;
}

export const defaultTimeOptions = (): TimeOptions => ({ zoneOffsetMin: 0, year: new Date().getUTCFullYear() });

/** ISO 8601 / RFC 3339 and the common `YYYY-MM-DD HH:MM:SS[.fff][zone]`. */
export const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}:?\d{2}|UTC)?/;

export function parseIso(text: string, opt: TimeOptions): number | null {
  const m = ISO_RE.exec(text);
  return m ? isoFromMatch(m, opt) : null;
}

/** The time of an ISO_RE match (its groups 1-8, wherever the match is embedded). */
export function isoFromMatch(m: RegExpExecArray, opt: TimeOptions): number | null {
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const utc = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, ms);
  return Number.isNaN(utc) ? null : utc - zoneOffset(m[8], opt) * 60_000;
}

/** `10/Oct/2000:13:55:36 -0700` (access logs). */
export function parseClf(text: string, opt: TimeOptions): number | null {
  const m = /^(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\s([+-]\d{4}))?/.exec(text);
  const month = m ? MONTHS[m[2]!.toLowerCase()] : undefined;
  if (!m || month === undefined) return null;
  return Date.UTC(+m[3]!, month, +m[1]!, +m[4]!, +m[5]!, +m[6]!) - zoneOffset(m[7], opt) * 60_000;
}

/** `Mar  1 12:00:00` (syslog RFC 3164: no year, no zone). */
export function parseBsd(text: string, opt: TimeOptions): number | null {
  const m = /^(\w{3})\s+(\d{1,2}) (\d{2}):(\d{2}):(\d{2})/.exec(text);
  const month = m ? MONTHS[m[1]!.toLowerCase()] : undefined;
  if (!m || month === undefined) return null;
  return Date.UTC(opt.year, month, +m[2]!, +m[3]!, +m[4]!, +m[5]!) - opt.zoneOffsetMin * 60_000;
}

/** Any of the above, or epoch seconds/milliseconds (JSON fields). */
export function parseAnyTime(value: unknown, opt: TimeOptions): number | null {
  if (typeof value === 'number') return value > 1e11 ? value : value * 1000;
  if (typeof value !== 'string') return null;
  if (/^\d{10}(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  if (/^\d{13}$/.test(value)) return Number(value);
  return parseIso(value, opt) ?? parseClf(value, opt) ?? parseBsd(value, opt);
}

function zoneOffset(zone: string | undefined, opt: TimeOptions): number {
  if (!zone) return opt.zoneOffsetMin;
  if (zone === 'Z' || zone === 'UTC') return 0;
  const digits = zone.replace(':', '');
  const sign = digits[0] === '-' ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
}

/** `+02:00` → 120; throws on anything else. */
export function parseZoneOption(zone: string): number {
  if (zone === 'Z' || zone.toUpperCase() === 'UTC') return 0;
  if (!/^[+-]\d{2}:?\d{2}$/.test(zone)) throw new Error(`time zone '${zone}' must be UTC or an offset like +02:00`);
  return zoneOffset(zone, { zoneOffsetMin: 0, year: 0 });
}
