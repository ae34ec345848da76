import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { isPostgres } from '../db/migrations/dialect-helpers.js';
import { statementChunks } from '../db/statement-chunks.js';
import { newId } from '../lib/ids.js';
import type { AlertReceiverRow, NewAlertRow } from './alerts.table.js';
import type { EpisodeIndex } from './episode-index.js';
import { fingerprintOf } from './fingerprint.js';
import type { RepeatDeliveries } from './repeat-deliveries.js';
import type { IncomingAlert } from './webhook-payloads.js';

export interface IngestResult {
  received: number;
  /** New episodes stored. */
  stored: number;
  /** Firing episodes closed by a resolve. */
  resolved: number;
  /** Deliveries of an episode already known in the same state. */
  duplicates: number;
}

/** Rows per INSERT statement at most: 17 parameters each, well under SQLite's and PostgreSQL's limits. */
const ROWS_PER_STATEMENT = 512;

type Keyed = IncomingAlert & { fingerprint: string };
export const keyOf = (fingerprint: string, startsAt: string) => `${fingerprint}\n${startsAt}`;

/** One webhook body: its receiver, its alerts, and when it came (first/last received, start of alerts sent without one). */
export interface IngestBody {
  receiver: AlertReceiverRow;
  alerts: IncomingAlert[];
  now: string;
}

type KeyedBody = Omit<IngestBody, 'alerts'> & { alerts: Keyed[] };

/**
 * What the webhooks' ingest keeps in memory (ingest-batcher.ts): the episodes known to be committed,
 * and the repeated deliveries of those, held to be counted behind. Without it every delivery is written.
 */
export interface IngestMemory {
  index: EpisodeIndex;
  repeats: RepeatDeliveries;
}

/** A repeated delivery answered from memory: the row is left alone until its count is written behind. */
interface Skipped { receiver: AlertReceiverRow; alert: Keyed; key: string; now: string }

/**
 * A webhook's alerts stored inside the caller's transaction: the alerts commit or roll back with the caller's own
 * writes (a monitor's state change and its alert are one write, so a kill -9 between them cannot leave
 * an alert firing for a monitor recorded up). The caller retries a deadlock (`isRetryableConflict`).
 */
export function ingestAlertsIn(trx: Transaction<Database>, receiver: AlertReceiverRow, alerts: IncomingAlert[], now: string): Promise<IngestResult> {
  const keyed: KeyedBody = { receiver, now, alerts: alerts.map((a) => ({ ...a, fingerprint: a.fingerprint ?? fingerprintOf(a.labels) })) };
  return ingestInTransaction(trx, [keyed]).then((results) => results[0]!);
}

/**
 * Stores a webhook's alerts in one transaction, so that a 2xx is only sent once all of them are
 * committed. One row per episode (fingerprint + startsAt): a repeated delivery only counts; a resolve
 * closes the firing row; an alert without a fingerprint gets Prometheus' fingerprint of its labels.
 */
export async function ingestAlerts(db: Kysely<Database>, receiver: AlertReceiverRow, alerts: IncomingAlert[], now: string): Promise<IngestResult> {
  return (await ingestBodies(db, [{ receiver, alerts, now }]))[0]!;
}

/**
 * Stores several bodies in one transaction (group commit, see ingest-batcher.ts): all of them are
 * committed, or none. Each body's result is what it would have been had the bodies been stored one
 * after the other in this order.
 *
 * A transaction costs a fixed number of statements whatever the number of alerts: one select (the
 * episodes already known, and the open episode of alerts sent without a start), then one multi-row
 * `INSERT ... ON CONFLICT (fingerprint, starts_at) DO UPDATE` (per 500 rows) whose update counts the
 * repeat and closes a firing row on a resolve, decided by the row as locked (never by what was read
 * before); an episode present in several bodies (or twice in one) takes one more statement per copy.
 */
export async function ingestBodies(db: Kysely<Database>, bodies: IngestBody[], memory?: IngestMemory): Promise<IngestResult[]> {
  const keyed: KeyedBody[] = bodies.map((b) => ({ ...b, alerts: b.alerts.map((a) => ({ ...a, fingerprint: a.fingerprint ?? fingerprintOf(a.labels) })) }));
  for (let attempt = 1; ; attempt++) {
    const written = new Map<string, string>();
    const skipped: Skipped[] = [];
    try {
      const results = await db.transaction().execute((trx) => ingestInTransaction(trx, keyed, memory && { index: memory.index, written, skipped }));
      // Committed: what was written is now known, and the repeats answered from memory are counted.
      if (memory) {
        for (const [k, status] of written) memory.index.set(k, status as 'firing' | 'resolved');
        for (const s of skipped) memory.repeats.add(s.key, s.receiver, s.alert, s.alert.startsAt, s.now);
      }
      return results;
    } catch (err) {
      // A deadlock or serialization failure rolled everything back: the bodies are written again whole.
      if (attempt >= 3 || !isRetryableConflict(err)) throw err;
    }
  }
}

/** A PostgreSQL deadlock or serialization failure: the whole transaction may simply run again. */
export function isRetryableConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/** The transaction's view of the memory: what it may skip, and what it wrote and skipped (applied after the commit). */
interface Memo {
  index: EpisodeIndex;
  written: Map<string, string>;
  skipped: Skipped[];
}

/**
 * A delivery that changes nothing but the count of a known episode: firing, of an episode stored
 * (firing or resolved: a firing repeat never reopens a row), or resolved, of one stored resolved.
 */
function isKnownRepeat(alert: Keyed, index: EpisodeIndex): string | null {
  if (!alert.startsAt) return null;
  const key = keyOf(alert.fingerprint, alert.startsAt);
  const status = index.get(key);
  return status && (alert.status === 'firing' || status === 'resolved') ? key : null;
}

async function ingestInTransaction(trx: Transaction<Database>, bodies: KeyedBody[], memo?: Memo): Promise<IngestResult[]> {
  const results: IngestResult[] = bodies.map((b) => ({ received: b.alerts.length, stored: 0, resolved: 0, duplicates: 0 }));
  const all = bodies.flatMap((b, body) => b.alerts.flatMap((alert) => {
    const key = memo && isKnownRepeat(alert, memo.index);
    if (!key) return [{ body, alert }];
    results[body]!.duplicates++;
    memo.skipped.push({ receiver: b.receiver, alert, key, now: b.now });
    return [];
  }));
  if (all.length === 0) return results;
  // Only a resolve (was the episode firing?) and an alert without a start (its open episode) need
  // what is stored: a firing delivery with its start is new or a repeat, as the upsert's row says.
  const known = await knownEpisodes(trx, all.map((x) => x.alert).filter((a) => a.status === 'resolved' || !a.startsAt));
  // Written in one order for every transaction (fingerprint, then start): two transactions carrying
  // the same alerts in different orders would otherwise lock the same rows in opposite orders, and
  // PostgreSQL would abort one of them as a deadlock (a 500 to the sender, found by bench/webhooks.ts).
  // The sort is stable: copies of one episode stay in body order.
  const rows = all
    .map(({ body, alert }) => ({ body, alert, startsAt: startOf(alert, known, bodies[body]!.now) }))
    .sort((a, b) => (a.alert.fingerprint === b.alert.fingerprint ? cmp(a.startsAt, b.startsAt) : cmp(a.alert.fingerprint, b.alert.fingerprint)));
  // The same episode twice: a statement may touch a row once, so later copies go in the next round
  // (in body order, as if sent one after the other).
  let pending = rows;
  while (pending.length > 0) {
    const seen = new Set<string>();
    const round: typeof rows = [];
    const later: typeof rows = [];
    for (const r of pending) {
      const k = keyOf(r.alert.fingerprint, r.startsAt);
      (seen.has(k) ? later : round).push(r);
      seen.add(k);
    }
    for (const chunk of statementChunks(round, isPostgres(trx), ROWS_PER_STATEMENT)) {
      const written = await upsert(trx, chunk.map(({ body, alert, startsAt }) => rowOf(bodies[body]!.receiver, alert, startsAt, bodies[body]!.now)));
      for (const { body, alert, startsAt } of chunk) {
        const k = keyOf(alert.fingerprint, startsAt);
        const after = written.get(k);
        const before = known.status.get(k);
        const result = results[body]!;
        if (after?.received_count === 1) result.stored++;
        else if (alert.status === 'resolved' && after?.status === 'resolved' && before !== 'resolved') result.resolved++;
        else result.duplicates++;
        if (after) known.status.set(k, after.status);
        if (after) memo?.written.set(k, after.status);
      }
    }
    pending = later;
  }
  return results;
}

/**
 * An alert's start: its own, or (sent without one) the open episode of its fingerprint, else now.
 * Read in body order, earlier alerts of the transaction move the open episode as they would had
 * they been committed before: a firing one opens (or is) it, a resolve closes it.
 */
function startOf(alert: Keyed, known: Known, now: string): string {
  const open = known.openStart.get(alert.fingerprint);
  const startsAt = alert.startsAt || open || now;
  if (!known.withoutStart.has(alert.fingerprint)) return startsAt;
  if (alert.status === 'resolved' && startsAt === open) known.openStart.delete(alert.fingerprint);
  else if (alert.status === 'firing' && startsAt > (open ?? '')) known.openStart.set(alert.fingerprint, startsAt);
  return startsAt;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One select: the status of the body's episodes already stored, and the open episode of alerts sent without a start. */
interface Known {
  /** Status of the episodes already stored, by keyOf. */
  status: Map<string, string>;
  /** Fingerprints of alerts sent without a start. */
  withoutStart: Set<string>;
  /** Their open (firing) episode's start. */
  openStart: Map<string, string>;
}

async function knownEpisodes(trx: Transaction<Database>, keyed: Keyed[]): Promise<Known> {
  const withStart = [...new Set(keyed.filter((a) => a.startsAt).map((a) => keyOf(a.fingerprint, a.startsAt)))];
  const withoutStart = new Set(keyed.filter((a) => !a.startsAt).map((a) => a.fingerprint));
  const status = new Map<string, string>();
  const openStart = new Map<string, string>();
  if (withStart.length === 0 && withoutStart.size === 0) return { status, withoutStart, openStart };
  const rows = await trx
    .selectFrom('alerts')
    .select(['fingerprint', 'starts_at', 'status'])
    .where((eb) => {
      const either = [];
      if (withStart.length) either.push(eb(eb.refTuple('fingerprint', 'starts_at'), 'in', withStart.map((k) => eb.tuple(...(k.split('\n') as [string, string])))));
      if (withoutStart.size) either.push(eb.and([eb('fingerprint', 'in', [...withoutStart]), eb('status', '=', 'firing')]));
      return eb.or(either);
    })
    .execute();
  for (const r of rows) {
    status.set(keyOf(r.fingerprint, r.starts_at), r.status);
    if (r.status === 'firing' && withoutStart.has(r.fingerprint) && r.starts_at > (openStart.get(r.fingerprint) ?? '')) openStart.set(r.fingerprint, r.starts_at);
  }
  return { status, withoutStart, openStart };
}

function rowOf(receiver: AlertReceiverRow, alert: Keyed, startsAt: string, now: string): NewAlertRow {
  return {
    id: newId(),
    fingerprint: alert.fingerprint,
    starts_at: startsAt,
    status: alert.status,
    ends_at: alert.status === 'resolved' ? (alert.endsAt ?? now) : null,
    labels: JSON.stringify(alert.labels),
    annotations: JSON.stringify(alert.annotations),
    generator_url: alert.generatorURL,
    receiver_id: receiver.id,
    source: receiver.kind,
    extra: alert.extra ? JSON.stringify(alert.extra) : null,
    received_count: 1,
    first_received_at: now,
    last_received_at: now,
    acked_at: null,
    acked_by: null,
    resolved_by: null,
  };
}

/** The columns of an alert row, in the order `rowOf` builds them. */
const COLUMNS = [
  'id', 'fingerprint', 'starts_at', 'status', 'ends_at', 'labels', 'annotations', 'generator_url', 'receiver_id', 'source', 'extra',
  'received_count', 'first_received_at', 'last_received_at', 'acked_at', 'acked_by', 'resolved_by',
] as const satisfies readonly (keyof NewAlertRow)[];

const CLOSES = `"alerts"."status" = 'firing' and excluded."status" = 'resolved'`;
/** The upsert's text per dialect and row count, built once (Kysely rebuilt and recompiled the 850-parameter statement per body). */
const upsertTexts = new Map<string, string>();

function upsertText(pg: boolean, rows: number): string {
  const key = `${pg}:${rows}`;
  let text = upsertTexts.get(key);
  if (text) return text;
  const tuples = Array.from({ length: rows }, (_, r) => `(${COLUMNS.map((_, c) => (pg ? `$${r * COLUMNS.length + c + 1}` : '?')).join(', ')})`);
  text = `insert into "alerts" (${COLUMNS.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')}`
    + ` on conflict ("fingerprint", "starts_at") do update set "received_count" = "alerts"."received_count" + 1, "last_received_at" = excluded."last_received_at",`
    + ` "status" = case when ${CLOSES} then 'resolved' else "alerts"."status" end,`
    + ` "ends_at" = case when ${CLOSES} then excluded."ends_at" else "alerts"."ends_at" end,`
    + ` "annotations" = case when ${CLOSES} then excluded."annotations" else "alerts"."annotations" end`
    + ` returning "fingerprint", "starts_at", "status", "received_count"`;
  if (upsertTexts.size > 1000) upsertTexts.clear();
  upsertTexts.set(key, text);
  return text;
}

/**
 * New episodes are inserted; a known one counts the delivery, and a resolve closes it if it was
 * firing (its end and annotations taken from the resolve). Returns each row as written: a
 * received_count of 1 is a row this statement inserted.
 */
async function upsert(trx: Transaction<Database>, values: NewAlertRow[]): Promise<Map<string, { status: string; received_count: number }>> {
  const params = values.flatMap((v) => COLUMNS.map((c) => v[c] ?? null));
  const { rows } = await trx.executeQuery<{ fingerprint: string; starts_at: string; status: string; received_count: number | string }>(
    CompiledQuery.raw(upsertText(isPostgres(trx), values.length), params),
  );
  return new Map(rows.map((r) => [keyOf(r.fingerprint, r.starts_at), { status: r.status, received_count: Number(r.received_count) }]));
}
