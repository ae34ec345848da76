import { createHash, randomBytes } from 'node:crypto';
import { Cron } from 'croner';
import type { z } from 'zod';
import { AppError } from '../http/app-error.js';
import { newId } from '../lib/ids.js';
import type { Audited } from '../logs/audited.js';
import { assertPermitted, authorOf, type SecretCaller } from '../secrets/secret-caller.js';
import { type CheckDeps, runCheck } from './checks/run-check.js';
import { type CheckResult, type CheckSpec, checkSpec } from './checks/check-spec.js';
import { parseHostPort } from './checks/check-tcp.js';
import { hostRefusal } from './checks/target-guard.js';
import type { MonitorRecorder } from './monitor-recorder.js';
import type { MonitorRollups } from './monitor-rollups.js';
import type { MonitorScheduler } from './monitor-scheduler.js';
import { checkOf, toMonitorView } from './monitor-view.js';
import type { CreateMonitorInput, historyView, monitorStatus, monitorView, UpdateMonitorInput } from './monitors.schema.js';
import type { MonitorsRepository } from './monitors.repository.js';
import type { MonitorRow } from './monitors.table.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WINDOWS = { '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY, '365d': 365 * DAY } as const;

export interface MonitorsServiceDeps {
  repo: MonitorsRepository;
  rollups: MonitorRollups;
  scheduler: MonitorScheduler;
  record: MonitorRecorder;
  audited: Audited;
  checks: Omit<CheckDeps, 'now' | 'lastPush'>;
  now: () => number;
  apiPrefix: string;
  maxMonitors: number;
}

/**
 * Monitors: create and change them (admins), run one now, a push received, state, uptime and
 * history. Permission checks and the operation log are here, so REST and MCP tools behave alike.
 */
export function createMonitorsService(deps: MonitorsServiceDeps) {
  const { repo } = deps;
  const iso = (ms: number) => new Date(ms).toISOString();

  async function view(row: MonitorRow, uptime24h?: number | null) {
    const now = deps.now();
    const up = uptime24h !== undefined ? uptime24h : ((await deps.rollups.aggregate(now - DAY, row.id)).get(row.id)?.uptime ?? null);
    return toMonitorView(row, { nextRun: deps.scheduler.nextRun(row.id), inMaintenance: await repo.inMaintenance(row.id, iso(now)), uptime24h: up });
  }

  async function found(id: string): Promise<MonitorRow> {
    const row = (await repo.find(id)) ?? (await repo.findByName(id));
    if (!row) throw AppError.notFound('monitor', id);
    return row;
  }

  /** Runs the monitor's check with the platform's clock and records the result. */
  async function runMonitor(row: MonitorRow): Promise<{ result: CheckResult; row: MonitorRow }> {
    const spec = checkOf(row);
    const lastOk = spec.kind === 'push' ? await repo.lastOkAt(row.id) : null;
    const result = await runCheck(spec, { ...deps.checks, now: deps.now, lastPush: { at: lastOk ? Date.parse(lastOk) : null, silenceMs: row.interval_seconds * 1000 } });
    // A push monitor's successes are its pushes; its own check only notices silence.
    if (spec.kind === 'push' && result.ok) return { result, row };
    const updated = await deps.record(row.id, result, deps.now());
    return { result, row: updated ?? row };
  }

  function validateCheck(check: CheckSpec): void {
    const refuse = (why: string) => { throw new AppError('unprocessable', `check.target: ${why}`, { errors: [{ field: 'check.target', message: why }] }); };
    let host: string | null = null;
    if (check.kind === 'http' || check.kind === 'postgres' || check.kind === 'redis') {
      try { host = new URL(check.target.replace(/\$\{secret:[^}]*\}/g, 'x')).hostname; } catch { refuse('not a valid URL'); }
      if (check.kind === 'http' && !/^https?:/i.test(check.target)) refuse('expected an http:// or https:// URL');
      if (check.kind === 'postgres' && !/^postgres(ql)?:/i.test(check.target)) refuse('expected a postgres:// connection string');
      if (check.kind === 'redis' && !/^rediss?:/i.test(check.target)) refuse('expected a redis:// or rediss:// URL');
    } else if (check.kind === 'tcp') {
      const hp = parseHostPort(check.target);
      if (typeof hp === 'string') refuse(hp);
      else host = hp.host;
    } else if (check.kind === 'dns') host = check.target;
    const why = host ? hostRefusal(host) : null;
    if (why) refuse(`refused: ${why}`);
  }

  function validateCron(cron: string | null | undefined): void {
    if (!cron) return;
    try {
      new Cron(cron, { paused: true }).stop();
    } catch (err) {
      throw new AppError('unprocessable', `cron: not a valid cron expression: ${(err as Error).message}`, { errors: [{ field: 'cron', message: 'not a valid cron expression' }] });
    }
  }

  const target = (id: string | null) => ({ type: 'monitor', id });

  return {
    runMonitor,

    async list(caller: SecretCaller): Promise<{ items: z.infer<typeof monitorView>[]; total: number }> {
      assertPermitted(caller, 'monitors:read');
      const rows = await repo.list();
      const day = await deps.rollups.aggregate(deps.now() - DAY);
      const items = await Promise.all(rows.map((r) => view(r, day.get(r.id)?.uptime ?? null)));
      return { items, total: items.length };
    },

    async status(id: string, caller: SecretCaller): Promise<z.infer<typeof monitorStatus>> {
      assertPermitted(caller, 'monitors:read');
      const row = await found(id);
      const now = deps.now();
      const uptime = Object.fromEntries(await Promise.all(Object.entries(WINDOWS).map(async ([w, ms]) => [w, (await deps.rollups.aggregate(now - ms, row.id)).get(row.id) ?? EMPTY]))) as z.infer<typeof monitorStatus>['uptime'];
      const events = (await repo.events(row.id, 50)).map(eventView);
      const recent = (await repo.recentResults(row.id, 30)).map((r) => ({ at: r.at, ok: r.ok === 1, latency_ms: r.latency_ms, error: r.error }));
      const maintenance = (await repo.maintenance(row.id, iso(now))).map((w) => maintenanceView(w, now));
      return { ...(await view(row, uptime['24h'].uptime)), uptime, events, recent, maintenance };
    },

    async history(id: string, window: keyof typeof WINDOWS, caller: SecretCaller): Promise<z.infer<typeof historyView>> {
      assertPermitted(caller, 'monitors:read');
      const row = await found(id);
      const now = deps.now();
      const resolution = window === '24h' ? 'm' : window === '365d' ? 'd' : 'h';
      const points = await deps.rollups.series(row.id, resolution, now - WINDOWS[window], now);
      const events = (await repo.events(row.id, 500)).filter((e) => Date.parse(e.at) >= now - WINDOWS[window]).map(eventView);
      return { window, resolution: ({ m: 'minute', h: 'hour', d: 'day' } as const)[resolution], points, events };
    },

    async create(input: CreateMonitorInput, caller: SecretCaller) {
      assertPermitted(caller, 'monitors:write');
      return deps.audited(caller, { action: 'monitor.create', target: target(null), details: { name: input.name, kind: input.check.kind } }, async (details) => {
        validateCheck(input.check);
        validateCron(input.cron);
        if (await repo.findByName(input.name)) throw new AppError('conflict', `a monitor named '${input.name}' exists`);
        if ((await repo.count()) >= deps.maxMonitors) throw new AppError('unprocessable', `at most ${deps.maxMonitors} monitors (MONITORS_MAX)`);
        const { kind, target: checkTarget, ...options } = input.check;
        const token = kind === 'push' ? randomBytes(24).toString('base64url') : null;
        const at = iso(deps.now());
        const id = newId();
        details['id'] = id;
        await repo.insert({
          id, name: input.name, kind, target: checkTarget, options: JSON.stringify(options), interval_seconds: input.interval_seconds, cron: input.cron ?? null,
          timeout_ms: input.check.timeout_ms ?? 10_000, failures_before_down: input.failures_before_down, severity: input.severity, enabled: input.enabled ? 1 : 0,
          description: input.description ?? null, push_token_hash: token ? hashToken(token) : null, state: 'unknown', state_since: null, consecutive_failures: 0,
          last_checked_at: null, last_latency_ms: null, last_error: null, alert_starts_at: null, created_by: authorOf(caller), created_at: at, updated_at: at,
        });
        const row = await found(id);
        deps.scheduler.set(row);
        return { ...(await view(row, null)), push_url: token ? `${deps.apiPrefix}/monitors/push/${token}` : null };
      });
    },

    async update(id: string, input: UpdateMonitorInput, caller: SecretCaller) {
      assertPermitted(caller, 'monitors:write');
      return deps.audited(caller, { action: 'monitor.update', target: target(id) }, async (details) => {
        const row = await found(id);
        details['name'] = row.name;
        if (input.check) validateCheck(input.check);
        validateCron(input.cron);
        if (input.check && (input.check.kind === 'push') !== (row.kind === 'push')) throw new AppError('unprocessable', 'a push monitor stays a push monitor (create a new one)');
        if (input.name && input.name !== row.name && (await repo.findByName(input.name))) throw new AppError('conflict', `a monitor named '${input.name}' exists`);
        const check = input.check ? (({ kind, target: t, ...options }) => ({ kind, target: t, options: JSON.stringify(options), timeout_ms: input.check!.timeout_ms ?? 10_000 }))(input.check) : {};
        await repo.update(row.id, {
          ...check,
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.interval_seconds !== undefined ? { interval_seconds: input.interval_seconds } : {}),
          ...(input.cron !== undefined ? { cron: input.cron } : {}),
          ...(input.failures_before_down !== undefined ? { failures_before_down: input.failures_before_down } : {}),
          ...(input.severity !== undefined ? { severity: input.severity } : {}),
          ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
          updated_at: iso(deps.now()),
        });
        const updated = await found(row.id);
        deps.scheduler.set(updated);
        return view(updated);
      });
    },

    async remove(id: string, caller: SecretCaller): Promise<void> {
      assertPermitted(caller, 'monitors:write');
      await deps.audited(caller, { action: 'monitor.delete', target: target(id) }, async (details) => {
        const row = await found(id);
        details['name'] = row.name;
        if (row.alert_starts_at) await deps.record(row.id, { ok: true, latency_ms: null, error: null, details: {} }, deps.now());
        deps.scheduler.remove(row.id);
        await repo.remove(row.id);
      });
    },

    async runNow(id: string, caller: SecretCaller) {
      assertPermitted(caller, 'monitors:run');
      const row = await found(id);
      const { result, row: after } = await runMonitor(row);
      return { result: { ...result, checked_at: iso(deps.now()) }, monitor: await view(after) };
    },

    /** One check now, not stored (health_check). Admins only: it reaches internal hosts. */
    async check(input: unknown, caller: SecretCaller) {
      assertPermitted(caller, 'monitors:check');
      const parsed = checkSpec.safeParse(input);
      if (!parsed.success) {
        const errors = parsed.error.issues.slice(0, 20).map((i) => ({ field: i.path.join('.') || 'body', message: i.message }));
        throw new AppError('validation', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
      }
      const spec = parsed.data;
      if (spec.kind === 'push') throw new AppError('unprocessable', 'kind: a push check has nothing to run now: create a push monitor');
      return deps.audited(caller, { action: 'monitor.check', target: target(null), details: { kind: spec.kind } }, async () => {
        validateCheck(spec);
        const result = await runCheck(spec, { ...deps.checks, now: deps.now });
        return { ...result, checked_at: iso(deps.now()) };
      });
    },

    /** A job's push: records up (or down with `status=down`) for the monitor holding this token. */
    async push(token: string, status: 'up' | 'down', msg: string | undefined, latencyMs: number | undefined): Promise<{ ok: true; monitor: string; state: string }> {
      const row = await repo.findByPushHash(hashToken(token));
      if (!row) throw new AppError('unauthorized', 'no push monitor has this token');
      const result: CheckResult = status === 'up' ? { ok: true, latency_ms: latencyMs ?? null, error: null, details: {} } : { ok: false, latency_ms: null, error: msg ?? 'the job reported down', details: {} };
      const after = await deps.record(row.id, result, deps.now());
      return { ok: true, monitor: row.name, state: after?.state ?? row.state };
    },

    async listMaintenance(monitorId: string | null, caller: SecretCaller) {
      assertPermitted(caller, 'monitors:read');
      const row = monitorId ? await found(monitorId) : null;
      const now = deps.now();
      return { items: (await repo.maintenance(row?.id ?? null, iso(now - 30 * DAY))).map((w) => maintenanceView(w, now)) };
    },

    async addMaintenance(monitorId: string | null, input: { starts_at?: string | undefined; ends_at?: string | undefined; duration_minutes?: number | undefined; comment: string }, caller: SecretCaller) {
      assertPermitted(caller, 'monitors:write');
      return deps.audited(caller, { action: 'monitor.maintenance.create', target: { type: 'monitor_maintenance', id: monitorId }, details: { monitor: monitorId ?? '*' } }, async (details) => {
        const row = monitorId ? await found(monitorId) : null;
        const now = deps.now();
        const starts = input.starts_at ? Date.parse(input.starts_at) : now;
        const ends = input.ends_at ? Date.parse(input.ends_at) : input.duration_minutes ? starts + input.duration_minutes * 60_000 : NaN;
        if (!Number.isFinite(ends)) throw new AppError('validation', 'ends_at or duration_minutes is required', { errors: [{ field: 'ends_at', message: 'required (or duration_minutes)' }] });
        if (ends <= starts) throw new AppError('validation', 'ends_at must be after starts_at', { errors: [{ field: 'ends_at', message: 'must be after starts_at' }] });
        const w = { id: newId(), monitor_id: row?.id ?? null, starts_at: iso(starts), ends_at: iso(ends), comment: input.comment, created_by: authorOf(caller), created_at: iso(now) };
        details['id'] = w.id;
        await repo.insertMaintenance(w);
        return maintenanceView(w, now);
      });
    },

    async removeMaintenance(id: string, caller: SecretCaller): Promise<void> {
      assertPermitted(caller, 'monitors:write');
      await deps.audited(caller, { action: 'monitor.maintenance.delete', target: { type: 'monitor_maintenance', id } }, async () => {
        if (!(await repo.findMaintenance(id))) throw AppError.notFound('maintenance window', id);
        await repo.removeMaintenance(id);
      });
    },

    schedulerStats: () => deps.scheduler.stats(),
  };
}

const EMPTY = { checks: 0, ups: 0, uptime: null, latency_avg_ms: null, latency_p50_ms: null, latency_p95_ms: null, latency_p99_ms: null, latency_max_ms: null };

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function eventView(e: { at: string; from_state: string; to_state: string; reason: string | null; suppressed: number }) {
  return { at: e.at, from_state: e.from_state, to_state: e.to_state, reason: e.reason, suppressed: e.suppressed === 1 };
}

function maintenanceView(w: { id: string; monitor_id: string | null; starts_at: string; ends_at: string; comment: string; created_by: string | null; created_at: string }, now: number) {
  return { ...w, active: Date.parse(w.starts_at) <= now && Date.parse(w.ends_at) > now };
}

export type MonitorsService = ReturnType<typeof createMonitorsService>;
