import { CompiledQuery, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { isPostgres } from '../db/migrations/dialect-helpers.js';
import { statementChunks } from '../db/statement-chunks.js';
import type { AlertReceiverRow } from './alerts.table.js';
import type { IncomingAlert } from './webhook-payloads.js';

/** Deliveries of a known episode not yet added to its row. */
export interface HeldRepeat {
  fingerprint: string;
  startsAt: string;
  count: number;
  /** The latest receipt (its last_received_at). */
  last: string;
  /** The latest delivery itself: stored again should the row be gone (a restore of an older backup). */
  receiver: AlertReceiverRow;
  alert: IncomingAlert & { fingerprint: string };
}

/**
 * Repeated deliveries of episodes already stored (Alertmanager re-sends every firing alert each
 * group_interval): nothing of the alert changes, only its delivery count and last receipt. Those are
 * held here and written behind, many deliveries of an episode in one update and many episodes in one
 * statement, instead of a row write per delivery in the request's transaction. A kill -9 may lose
 * the counts of the last second; never an episode, a resolve, or anything a sender was told was stored.
 */
export function createRepeatDeliveries() {
  let held = new Map<string, HeldRepeat>();
  return {
    add(key: string, receiver: AlertReceiverRow, alert: IncomingAlert & { fingerprint: string }, startsAt: string, now: string): void {
      const h = held.get(key);
      if (h) {
        h.count++;
        if (now >= h.last) Object.assign(h, { last: now, receiver, alert });
      } else {
        held.set(key, { fingerprint: alert.fingerprint, startsAt, count: 1, last: now, receiver, alert });
      }
    },
    /** Takes everything held (to write it); `putBack` returns what could not be written. */
    drain(): HeldRepeat[] {
      const out = [...held.values()];
      held = new Map();
      return out;
    },
    putBack(items: HeldRepeat[], keyOf: (fingerprint: string, startsAt: string) => string): void {
      for (const it of items) {
        const key = keyOf(it.fingerprint, it.startsAt);
        const h = held.get(key);
        if (!h) held.set(key, it);
        else {
          h.count += it.count;
          if (it.last > h.last) Object.assign(h, { last: it.last, receiver: it.receiver, alert: it.alert });
        }
      }
    },
    get size() {
      return held.size;
    },
  };
}

export type RepeatDeliveries = ReturnType<typeof createRepeatDeliveries>;

/** Rows per UPDATE statement (4 parameters each). */
const ROWS_PER_STATEMENT = 512;
const texts = new Map<string, string>();

function updateText(pg: boolean, rows: number): string {
  const key = `${pg}:${rows}`;
  let text = texts.get(key);
  if (text) return text;
  const tuples = Array.from({ length: rows }, (_, r) => (pg ? `($${4 * r + 1}, $${4 * r + 2}, $${4 * r + 3}::integer, $${4 * r + 4})` : '(?, ?, ?, ?)')).join(', ');
  const from = pg
    ? `(values ${tuples}) as v(fp, st, n, last)`
    : `(select column1 as fp, column2 as st, column3 as n, column4 as last from (values ${tuples})) as v`;
  text = `update "alerts" set "received_count" = "alerts"."received_count" + v.n, "last_received_at" = ${pg ? 'greatest' : 'max'}("alerts"."last_received_at", v.last)`
    + ` from ${from} where "alerts"."fingerprint" = v.fp and "alerts"."starts_at" = v.st returning "alerts"."fingerprint", "alerts"."starts_at"`;
  if (texts.size > 1000) texts.clear();
  texts.set(key, text);
  return text;
}

/**
 * Adds the held counts to their rows, in (fingerprint, startsAt) order as the ingest writes (no
 * deadlock between instances on PostgreSQL). Returns the held deliveries whose row was not found.
 */
export async function writeRepeats(trx: Transaction<Database>, items: HeldRepeat[]): Promise<HeldRepeat[]> {
  const sorted = [...items].sort((a, b) => (a.fingerprint === b.fingerprint ? cmp(a.startsAt, b.startsAt) : cmp(a.fingerprint, b.fingerprint)));
  const found = new Set<string>();
  for (const chunk of statementChunks(sorted, isPostgres(trx), ROWS_PER_STATEMENT)) {
    const { rows } = await trx.executeQuery<{ fingerprint: string; starts_at: string }>(
      CompiledQuery.raw(updateText(isPostgres(trx), chunk.length), chunk.flatMap((h) => [h.fingerprint, h.startsAt, h.count, h.last])),
    );
    for (const r of rows) found.add(`${r.fingerprint}\n${r.starts_at}`);
  }
  return sorted.filter((h) => !found.has(`${h.fingerprint}\n${h.startsAt}`));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
