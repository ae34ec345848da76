import { z } from 'zod';
import { AppError } from './app-error.js';

/** Uniform list query: `?limit=&cursor=`; lists answer `{items, next_cursor, total}`. */
export const paginationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});

export type PaginationQuery = z.infer<typeof paginationQuery>;

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    next_cursor: z.string().nullable(),
    total: z.number().int().optional(),
  });
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
  total?: number;
}

/** Cursors are opaque to clients: base64url of the last row's sort key. */
export function encodeCursor(key: string | number): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T extends string | number>(cursor: string, kind: 'string' | 'number'): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value === kind) return value as T;
  } catch {
    // fall through
  }
  throw new AppError('validation', 'cursor is not valid', { errors: [{ field: 'querystring.cursor', message: 'invalid cursor' }] });
}

/** Given `limit + 1` rows, returns the page and the cursor of the next one. */
export function toPage<R, T>(rows: R[], limit: number, keyOf: (r: R) => string | number, map: (r: R) => T, total?: number): Page<T> {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  const last = items.at(-1);
  return {
    items: items.map(map),
    next_cursor: hasMore && last !== undefined ? encodeCursor(keyOf(last)) : null,
    ...(total !== undefined ? { total } : {}),
  };
}
