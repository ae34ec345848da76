import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../http/app-error.js';
import { newId } from '../lib/ids.js';
import type { Audited } from '../logs/audited.js';
import { assertPermitted, authorOf, type SecretCaller } from '../secrets/secret-caller.js';
import type { CreateSilenceInput, SilenceView } from './alerts.schema.js';
import type { AlertSilenceRow } from './alerts.table.js';
import { compileMatchers, type LabelSet } from './label-matchers.js';

export interface SilencesDeps {
  db: Kysely<Database>;
  audited: Audited;
  now: () => Date;
}

type SilenceState = SilenceView['state'];

export function silenceState(row: Pick<AlertSilenceRow, 'starts_at' | 'ends_at'>, now: string): SilenceState {
  return row.ends_at <= now ? 'expired' : row.starts_at > now ? 'pending' : 'active';
}

/** Silences: label matchers muting alerts for a period; operators create and expire them. */
export function createSilencesService(deps: SilencesDeps) {
  const target = (id: string | null) => ({ type: 'alert_silence', id });
  const nowIso = () => deps.now().toISOString();
  const toView = (r: AlertSilenceRow): SilenceView => ({ ...r, matchers: JSON.parse(r.matchers), state: silenceState(r, nowIso()) });

  function period(input: Partial<CreateSilenceInput>, current?: AlertSilenceRow): { starts_at: string; ends_at: string } {
    const starts = input.starts_at ? new Date(input.starts_at).toISOString() : (current?.starts_at ?? nowIso());
    const ends = input.ends_at ? new Date(input.ends_at).toISOString() : input.duration_minutes ? new Date(Date.parse(starts) + input.duration_minutes * 60_000).toISOString() : current?.ends_at;
    if (!ends) throw new AppError('validation', 'ends_at or duration_minutes is required', { errors: [{ field: 'ends_at', message: 'required' }] });
    if (ends <= starts) throw new AppError('validation', 'ends_at must be after starts_at', { errors: [{ field: 'ends_at', message: 'must be after starts_at' }] });
    return { starts_at: starts, ends_at: ends };
  }

  async function find(id: string): Promise<AlertSilenceRow> {
    const row = await deps.db.selectFrom('alert_silences').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw AppError.notFound('Silence', id);
    return row;
  }

  return {
    toView,

    /** The silences in force now, compiled: which of them mute a label set. */
    async activeMatcher(): Promise<(labels: LabelSet) => string[]> {
      const now = nowIso();
      const rows = await deps.db.selectFrom('alert_silences').selectAll().where('starts_at', '<=', now).where('ends_at', '>', now).execute();
      const compiled = rows.map((r) => ({ id: r.id, matches: compileMatchers(JSON.parse(r.matchers)) }));
      return (labels) => compiled.filter((c) => c.matches(labels)).map((c) => c.id);
    },

    async list(state: SilenceState | 'all', caller: SecretCaller): Promise<{ items: SilenceView[] }> {
      assertPermitted(caller, 'alerts:read');
      const rows = await deps.db.selectFrom('alert_silences').selectAll().orderBy('created_at', 'desc').limit(5000).execute();
      return { items: rows.map(toView).filter((s) => state === 'all' || s.state === state) };
    },

    async get(id: string, caller: SecretCaller): Promise<SilenceView> {
      assertPermitted(caller, 'alerts:read');
      return toView(await find(id));
    },

    async create(input: CreateSilenceInput, caller: SecretCaller): Promise<SilenceView> {
      const id = newId();
      return deps.audited(caller, { action: 'alert.silence.create', target: target(id) }, async () => {
        assertPermitted(caller, 'alerts:write');
        compileMatchers(input.matchers);
        const now = nowIso();
        const row: AlertSilenceRow = { id, matchers: JSON.stringify(input.matchers), ...period(input), created_by: authorOf(caller) ?? 'unknown', comment: input.comment, created_at: now, updated_at: now };
        await deps.db.insertInto('alert_silences').values(row).execute();
        return toView(row);
      });
    },

    async update(id: string, input: Partial<CreateSilenceInput>, caller: SecretCaller): Promise<SilenceView> {
      return deps.audited(caller, { action: 'alert.silence.update', target: target(id) }, async () => {
        assertPermitted(caller, 'alerts:write');
        const row = await find(id);
        if (input.matchers) compileMatchers(input.matchers);
        const next: AlertSilenceRow = { ...row, ...period(input, row), ...(input.matchers ? { matchers: JSON.stringify(input.matchers) } : {}), ...(input.comment ? { comment: input.comment } : {}), updated_at: nowIso() };
        await deps.db.updateTable('alert_silences').set(next).where('id', '=', id).execute();
        return toView(next);
      });
    },

    /** Ends a silence now (kept for the record, as Alertmanager does). */
    async expire(id: string, caller: SecretCaller): Promise<SilenceView> {
      return deps.audited(caller, { action: 'alert.silence.expire', target: target(id) }, async () => {
        assertPermitted(caller, 'alerts:write');
        const row = await find(id);
        const now = nowIso();
        const next = { ...row, ends_at: row.ends_at < now ? row.ends_at : now, starts_at: row.starts_at > now ? now : row.starts_at, updated_at: now };
        await deps.db.updateTable('alert_silences').set(next).where('id', '=', id).execute();
        return toView(next);
      });
    },

    async remove(id: string, caller: SecretCaller): Promise<void> {
      await deps.audited(caller, { action: 'alert.silence.delete', target: target(id) }, async () => {
        assertPermitted(caller, 'alerts:write');
        await find(id);
        await deps.db.deleteFrom('alert_silences').where('id', '=', id).execute();
      });
    },
  };
}

export type SilencesService = ReturnType<typeof createSilencesService>;
