import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import picomatch from 'picomatch';
import { AppError } from '../http/app-error.js';
import { decodeCursor, encodeCursor } from '../http/pagination.js';
import { compileDateLayout, parseBound } from './date-layout.js';
import type { ListObjectsInput, ObjectItem, ObjectList } from './storage.schema.js';
import { storageError } from './storage-errors.js';
import type { StorageProfileRow } from './storage.table.js';

/** Matching keys counted past a full page to say how many were left out; beyond it the count is a lower bound. */
export const LEFT_OUT_SCAN_LIMIT = 50_000;
/** Date ranges up to this many days are listed day by day (one prefix per day) instead of filtering the whole prefix. */
const MAX_DAY_PREFIXES = 62;

interface Cursor {
  p: number;
  after: string;
}

/** The prefixes to list and the filter a key must pass. */
function planListing(profile: StorageProfileRow, input: Omit<ListObjectsInput, 'limit' | 'cursor'>) {
  const base = profile.prefix + (input.prefix ?? '');
  const pattern = input.date_pattern ?? profile.date_pattern;
  const ranged = input.from !== undefined || input.to !== undefined;
  if (ranged && !pattern)
    throw new AppError('validation', 'a date range needs a date layout: set the profile date_pattern or pass date_pattern (e.g. YYYY/MM/DD)', { errors: [{ field: 'date_pattern', message: 'required with from/to' }] });
  const layout = pattern ? compileDateLayout(pattern) : null;
  const from = input.from === undefined ? -Infinity : parseBound(input.from, 'from', false);
  const to = input.to === undefined ? Infinity : parseBound(input.to, 'to', true);
  if (from > to) throw new AppError('validation', 'from is after to', { errors: [{ field: 'from', message: 'after to' }] });
  const glob = input.glob ? picomatch(input.glob, { dot: true }) : null;

  let prefixes = [base];
  if (layout && Number.isFinite(from) && Number.isFinite(to) && (to - from) / 86_400_000 < MAX_DAY_PREFIXES) {
    const days: string[] = [];
    for (let d = new Date(Math.floor(from / 86_400_000) * 86_400_000); d.getTime() <= to; d = new Date(d.getTime() + 86_400_000)) {
      const fragment = layout.dayPrefix(d);
      if (fragment === null) break;
      days.push(base + fragment);
    }
    if (days.length > 0 && days.length <= MAX_DAY_PREFIXES) prefixes = days;
  }

  const match = (key: string): { date: string | null } | null => {
    const rest = key.slice(base.length);
    if (glob && !glob(rest)) return null;
    if (!layout) return { date: null };
    const date = layout.dateOf(rest);
    if (ranged && (!date || date.start > to || date.end <= from)) return null;
    return { date: date?.label ?? null };
  };
  return { prefixes, match };
}

/**
 * Lists a profile's keys by prefix, date range (date-laid-out keys) and glob, page after page of
 * the bucket (1,000 keys each), `limit` at most per answer. When more matched, `next_cursor` goes
 * on from there and `left_out` says how many (counted up to LEFT_OUT_SCAN_LIMIT).
 */
export async function listObjects(client: S3Client, profile: StorageProfileRow, input: ListObjectsInput, signal?: AbortSignal): Promise<ObjectList> {
  const { prefixes, match } = planListing(profile, input);
  const start: Cursor = input.cursor ? (JSON.parse(decodeCursor<string>(input.cursor, 'string')) as Cursor) : { p: 0, after: '' };
  const items: ObjectItem[] = [];
  let leftOut = 0;
  let scanned = 0;
  let next: Cursor | null = null;

  outer: for (let p = start.p; p < prefixes.length; p++) {
    let token: string | undefined;
    do {
      if (signal?.aborted) throw new AppError('unavailable', 'listing cancelled');
      let page;
      try {
        page = await client.send(
          new ListObjectsV2Command({ Bucket: profile.bucket, Prefix: prefixes[p], MaxKeys: 1000, ContinuationToken: token, ...(p === start.p && start.after && !token ? { StartAfter: start.after } : {}) }),
          { abortSignal: signal },
        );
      } catch (err) {
        throw storageError(err, `listing ${profile.bucket}/${prefixes[p]}`);
      }
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        const m = match(o.Key);
        if (!m) continue;
        if (items.length < input.limit) {
          items.push({ key: o.Key, size: o.Size ?? 0, last_modified: o.LastModified?.toISOString() ?? null, etag: o.ETag ?? null, date: m.date });
          continue;
        }
        next ??= { p, after: items.at(-1)!.key };
        leftOut++;
      }
      if (next) scanned += page.KeyCount ?? 0;
      if (scanned >= LEFT_OUT_SCAN_LIMIT) break outer;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  const lowerBound = scanned >= LEFT_OUT_SCAN_LIMIT;
  return {
    profile: profile.name,
    items,
    total_bytes: items.reduce((n, i) => n + i.size, 0),
    next_cursor: next ? encodeCursor(JSON.stringify(next)) : null,
    left_out: leftOut,
    left_out_is_lower_bound: lowerBound,
    hint: next ? `${leftOut}${lowerBound ? '+' : ''} more keys matched: pass next_cursor for the next page, or narrow with prefix, from/to or glob` : null,
  };
}
