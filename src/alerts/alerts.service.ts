import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../http/app-error.js';
import { newId } from '../lib/ids.js';
import type { Audited } from '../logs/audited.js';
import { assertPermitted, authorOf, type SecretCaller } from '../secrets/secret-caller.js';
import { labelsOf, loadMuting, type Muting } from './alert-muting.js';
import type { AlertList, AlertView, ListAlertsInput } from './alerts.schema.js';
import { listAlertsQuery } from './alerts.schema.js';
import type { AlertRow } from './alerts.table.js';
import type { InhibitRulesService } from './inhibit-rules.service.js';
import { compileMatchers, parseMatcher } from './label-matchers.js';
import type { SilencesService } from './silences.service.js';

export interface AlertsServiceDeps {
  db: Kysely<Database>;
  audited: Audited;
  silences: Pick<SilencesService, 'activeMatcher'>;
  rules: Pick<InhibitRulesService, 'all'>;
  now: () => Date;
  /** A person changed an alert (ack, resolve): the routing looks again. */
  onChanged?: () => void;
}

export function toAlertView(row: AlertRow, muting: Muting): AlertView {
  const labels = labelsOf(row);
  return {
    ...row,
    labels,
    annotations: JSON.parse(row.annotations),
    extra: row.extra ? JSON.parse(row.extra) : null,
    silenced_by: row.status === 'firing' ? muting.silencedBy(labels) : [],
    inhibited_by: row.status === 'firing' ? muting.inhibitedBy({ fingerprint: row.fingerprint, labels }) : [],
  };
}

const split = (text: string | undefined): string[] => (text ? text.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((s) => s.trim()).filter(Boolean) : []);

/** The alert store: current and past alerts by group, acknowledgement, resolution by hand, notes. */
export function createAlertsService(deps: AlertsServiceDeps) {
  const target = (id: string) => ({ type: 'alert', id });
  const muting = () => loadMuting(deps.db, deps.silences, deps.rules);

  async function find(id: string): Promise<AlertRow> {
    const row = await deps.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw AppError.notFound('Alert', id);
    return row;
  }

  async function rowsFor(q: { state: string; days: number }): Promise<AlertRow[]> {
    let query = deps.db.selectFrom('alerts').selectAll();
    if (q.state === 'firing') query = query.where('status', '=', 'firing');
    else {
      const since = new Date(deps.now().getTime() - q.days * 86_400_000).toISOString();
      query = query.where((eb) => eb.or([eb('status', '=', 'firing'), eb('last_received_at', '>=', since), eb('starts_at', '>=', since)]));
      if (q.state === 'resolved') query = query.where('status', '=', 'resolved');
    }
    return query.orderBy('starts_at', 'desc').limit(50_000).execute();
  }

  return {
    find,

    async list(input: ListAlertsInput, caller: SecretCaller): Promise<AlertList> {
      assertPermitted(caller, 'alerts:read');
      const q = listAlertsQuery.parse(input);
      const match = compileMatchers(split(q.matchers).map(parseMatcher));
      const m = await muting();
      const views = (await rowsFor(q)).map((r) => toAlertView(r, m)).filter((a) => match(a.labels));
      const shown = q.include_muted === 'true' ? views : views.filter((a) => !a.silenced_by.length && !a.inhibited_by.length && !a.acked_at);
      return groupAlerts(shown.slice(0, q.limit), split(q.group_by), shown.length);
    },

    async get(id: string, caller: SecretCaller): Promise<AlertView & { notes: { id: string; alert_id: string; author: string; text: string; created_at: string }[] }> {
      assertPermitted(caller, 'alerts:read');
      const row = await find(id);
      const notes = await deps.db.selectFrom('alert_notes').selectAll().where('alert_id', '=', id).orderBy('created_at').execute();
      return { ...toAlertView(row, await muting()), notes };
    },

    /** Acknowledges (once: a second ack keeps the first's time and author); `comment` is kept as a note. */
    async ack(id: string, caller: SecretCaller, comment?: string): Promise<AlertView> {
      return deps.audited(caller, { action: 'alert.ack', target: target(id) }, async () => {
        assertPermitted(caller, 'alerts:write');
        const row = await find(id);
        const next = { ...row, acked_at: row.acked_at ?? deps.now().toISOString(), acked_by: row.acked_by ?? authorOf(caller) ?? 'unknown' };
        await deps.db.transaction().execute(async (trx) => {
          await trx.updateTable('alerts').set({ acked_at: next.acked_at, acked_by: next.acked_by }).where('id', '=', id).execute();
          if (comment?.trim()) await trx.insertInto('alert_notes').values({ id: newId(), alert_id: id, author: next.acked_by, text: comment.trim(), created_at: deps.now().toISOString() }).execute();
        });
        deps.onChanged?.();
        return toAlertView(next, await muting());
      });
    },

    async resolve(id: string, caller: SecretCaller): Promise<AlertView> {
      return deps.audited(caller, { action: 'alert.resolve', target: target(id) }, async () => {
        assertPermitted(caller, 'alerts:write');
        const row = await find(id);
        if (row.status === 'resolved') return toAlertView(row, await muting());
        const next = { ...row, status: 'resolved' as const, ends_at: deps.now().toISOString(), resolved_by: authorOf(caller) ?? 'unknown' };
        await deps.db.updateTable('alerts').set({ status: next.status, ends_at: next.ends_at, resolved_by: next.resolved_by }).where('id', '=', id).execute();
        deps.onChanged?.();
        return toAlertView(next, await muting());
      });
    },

    async addNote(id: string, text: string, caller: SecretCaller) {
      return deps.audited(caller, { action: 'alert.note.create', target: target(id) }, async () => {
        assertPermitted(caller, 'alerts:write');
        await find(id);
        const note = { id: newId(), alert_id: id, author: authorOf(caller) ?? 'unknown', text, created_at: deps.now().toISOString() };
        await deps.db.insertInto('alert_notes').values(note).execute();
        return note;
      });
    },
  };
}

/** Alerts grouped by the values of `by` (as Alertmanager's group_by), biggest firing groups first. */
export function groupAlerts(alerts: AlertView[], by: string[], total: number): AlertList {
  const groups = new Map<string, AlertList['groups'][number]>();
  for (const a of alerts) {
    const labels = Object.fromEntries(by.map((l) => [l, a.labels[l] ?? '']));
    const key = by.map((l) => `${l}=${JSON.stringify(labels[l])}`).join(',') || '{}';
    const g = groups.get(key) ?? { key, labels, firing: 0, resolved: 0, alerts: [] };
    g[a.status]++;
    g.alerts.push(a);
    groups.set(key, g);
  }
  const sorted = [...groups.values()].sort((x, y) => y.firing - x.firing || y.alerts.length - x.alerts.length);
  return { total, left_out: Math.max(0, total - alerts.length), groups: sorted };
}

export type AlertsService = ReturnType<typeof createAlertsService>;
