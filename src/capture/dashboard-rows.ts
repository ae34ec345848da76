import { AppError } from '../http/app-error.js';
import { newId } from '../lib/ids.js';
import type { CreateDashboardInput, DashboardView, UpdateDashboardInput } from './capture.schema.js';
import type { DashboardRow } from './capture.table.js';

const json = (text: string) => JSON.parse(text) as Record<string, never>;

export function toDashboardView(row: DashboardRow): DashboardView {
  return { ...row, headers: json(row.headers), cookies: json(row.cookies), variables: json(row.variables) };
}

/** A grafana dashboard needs its uid; the render API is Grafana's. */
function assertCoherent(row: DashboardRow): void {
  if (row.kind === 'grafana' && !row.uid) throw new AppError('validation', 'a grafana dashboard needs its uid', { errors: [{ field: 'uid', message: 'required when kind is grafana' }] });
  if (row.kind === 'url' && row.mode === 'render') throw new AppError('validation', 'the render API mode is for grafana dashboards', { errors: [{ field: 'mode', message: 'render needs kind grafana' }] });
}

export function newDashboardRow(input: CreateDashboardInput, now: string): DashboardRow {
  const row: DashboardRow = {
    id: newId(),
    name: input.name,
    kind: input.kind,
    url: input.url,
    uid: input.uid ?? null,
    panel_id: input.panel_id ?? null,
    mode: input.mode ?? 'browser',
    token: input.token ?? null,
    headers: JSON.stringify(input.headers ?? {}),
    cookies: JSON.stringify(input.cookies ?? {}),
    time_from: input.time_from ?? 'now-1h',
    time_to: input.time_to ?? 'now',
    variables: JSON.stringify(input.variables ?? {}),
    width: input.width ?? 1600,
    height: input.height ?? 900,
    theme: input.theme ?? null,
    description: input.description ?? null,
    created_at: now,
    updated_at: now,
  };
  assertCoherent(row);
  return row;
}

export function updatedDashboardRow(row: DashboardRow, input: UpdateDashboardInput, now: string): DashboardRow {
  const next: DashboardRow = { ...row, updated_at: now };
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    (next as unknown as Record<string, unknown>)[key] = key === 'headers' || key === 'cookies' || key === 'variables' ? JSON.stringify(value) : value;
  }
  assertCoherent(next);
  return next;
}
