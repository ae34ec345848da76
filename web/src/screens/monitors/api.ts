import { api } from '../../api/client';

export type MonitorState = 'unknown' | 'up' | 'down';
export interface Monitor {
  id: string;
  name: string;
  description: string | null;
  check: { kind: string; target: string } & Record<string, unknown>;
  kind: string;
  interval_seconds: number;
  cron: string | null;
  failures_before_down: number;
  severity: string;
  enabled: boolean;
  state: MonitorState;
  state_since: string | null;
  last_checked_at: string | null;
  last_latency_ms: number | null;
  last_error: string | null;
  alert_open: boolean;
  in_maintenance: boolean;
  next_run_at: string | null;
  uptime_24h: number | null;
}
export interface Aggregate { checks: number; ups: number; uptime: number | null; latency_p50_ms: number | null; latency_p95_ms: number | null; latency_p99_ms: number | null }
export interface MonitorEvent { at: string; from_state: string; to_state: string; reason: string | null; suppressed: boolean }
export interface Window { id: string; monitor_id: string | null; starts_at: string; ends_at: string; comment: string; created_by: string | null; active: boolean }
export interface MonitorStatus extends Monitor { uptime: Record<'24h' | '7d' | '30d' | '365d', Aggregate>; events: MonitorEvent[]; maintenance: Window[] }
export interface HistoryPoint { t: string; checks: number; ups: number; latency_avg_ms: number | null }
export interface PlatformHealth { status: 'ok' | 'degraded'; version: string; uptime_seconds: number; checks?: { name: string; status: 'ok' | 'warn' | 'fail'; detail: string }[] }

export const monitorsApi = {
  list: () => api<{ items: Monitor[]; total: number }>('/monitors'),
  status: (id: string) => api<MonitorStatus>(`/monitors/${encodeURIComponent(id)}`),
  history: (id: string) => api<{ points: HistoryPoint[]; events: MonitorEvent[] }>(`/monitors/${encodeURIComponent(id)}/history?window=24h`),
  create: (body: Record<string, unknown>) => api<Monitor & { push_url: string | null }>('/monitors', { method: 'POST', body }),
  remove: (id: string) => api<null>(`/monitors/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  run: (id: string) => api<unknown>(`/monitors/${encodeURIComponent(id)}/run`, { method: 'POST' }),
  addWindow: (id: string, body: { duration_minutes: number; comment: string }) => api<Window>(`/monitors/${encodeURIComponent(id)}/maintenance`, { method: 'POST', body }),
  removeWindow: (id: string) => api<null>(`/monitors/maintenance/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  health: () => api<PlatformHealth>('/system/health'),
};

/** 24 hourly buckets (oldest first) from the minute points of the last 24 h: uptime share or null. */
export function hourlyUptime(points: HistoryPoint[], now = Date.now()): (number | null)[] {
  const hours: { checks: number; ups: number }[] = Array.from({ length: 24 }, () => ({ checks: 0, ups: 0 }));
  for (const p of points) {
    const ago = Math.floor((now - Date.parse(p.t)) / 3_600_000);
    if (ago < 0 || ago >= 24) continue;
    const h = hours[23 - ago]!;
    h.checks += p.checks;
    h.ups += p.ups;
  }
  return hours.map((h) => (h.checks ? h.ups / h.checks : null));
}

export const percent = (u: number | null) => (u === null ? '–' : `${(u * 100).toFixed(2)}%`);
