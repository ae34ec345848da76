/** The part of a storage profile the analysis needs to find its downloaded files by date. */
export interface DatedProfile { name: string; prefix: string; date_pattern: string | null }

/** At most this many days (or months) in one pick: one glob alternative each. */
export const MAX_DAYS = 93;

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * One glob (under the downloads root, the first log root) for the files a profile downloaded dated
 * `from`..`to` (YYYY-MM-DD, inclusive, UTC): downloads keep the key under DATA_DIR/downloads/<profile>/,
 * and the key carries its date after the prefix as the profile's date_pattern says. An hour token
 * matches any hour; a date part may end a folder (`2026/12/01/…`) or a file name (`20261201-app.log`).
 * One brace list for the whole range, so days with nothing downloaded do not fail the request.
 */
export function downloadedDaysGlob(p: DatedProfile, from: string, to: string): string {
  if (!p.date_pattern) throw new Error('no date layout');
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end) || end < start) throw new Error('bad range');
  if ((end - start) / 86_400_000 + 1 > MAX_DAYS) throw new Error('range too long');
  const parts = new Set<string>();
  for (let t = start; t <= end; t += 86_400_000) {
    const d = new Date(t);
    const datePath = p.date_pattern
      .replace('YYYY', String(d.getUTCFullYear()))
      .replace('MM', pad(d.getUTCMonth() + 1))
      .replace('DD', pad(d.getUTCDate()))
      .replace('HH', '*');
    const base = `${p.prefix}${datePath}`.replace(/^\/+/, '');
    parts.add(`${base}*`);
    parts.add(`${base}*/**`);
  }
  return `${p.name}/{${[...parts].join(',')}}`;
}
