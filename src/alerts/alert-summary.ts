import { z } from 'zod';
import type { AlertList, AlertView } from './alerts.schema.js';

export const alertSummaryGroup = z.object({
  key: z.string(),
  labels: z.record(z.string(), z.string()),
  firing: z.number().int().describe('Alerts firing now'),
  episodes: z.number().int().describe('Times an alert of the group fired within the window'),
  since: z.string().nullable().describe('Start of the oldest alert firing now'),
  last_started: z.string().describe('Start of the newest episode'),
  muted: z.number().int().describe('Firing alerts silenced, inhibited or acknowledged'),
  summary: z.string().nullable().describe("An annotation of the newest alert (summary, description or message)"),
  alerts: z.array(z.object({ id: z.string(), status: z.string(), starts_at: z.string(), ends_at: z.string().nullable(), labels: z.record(z.string(), z.string()), acked: z.boolean(), silenced: z.boolean(), inhibited: z.boolean() })),
});
export const alertSummary = z.object({
  window_days: z.number().int(),
  firing: z.number().int(),
  groups: z.array(alertSummaryGroup),
  left_out: z.number().int(),
});
export type AlertSummary = z.infer<typeof alertSummary>;

const muted = (a: AlertView) => a.acked_at !== null || a.silenced_by.length > 0 || a.inhibited_by.length > 0;
const note = (a: AlertView | undefined) => (a ? (a.annotations['summary'] ?? a.annotations['description'] ?? a.annotations['message'] ?? null) : null);

/** Groups of the history window as "what fires, since when, how often". With `firingOnly`, groups with nothing firing are left out. */
export function summarizeAlerts(list: AlertList, days: number, firingOnly: boolean): AlertSummary {
  const groups = list.groups
    .map((g) => {
      const firing = g.alerts.filter((a) => a.status === 'firing');
      const newest = [...g.alerts].sort((x, y) => y.starts_at.localeCompare(x.starts_at))[0];
      return {
        key: g.key,
        labels: g.labels,
        firing: firing.length,
        episodes: g.alerts.length,
        since: firing.map((a) => a.starts_at).sort()[0] ?? null,
        last_started: newest?.starts_at ?? '',
        muted: firing.filter(muted).length,
        summary: note(newest),
        alerts: (firingOnly ? firing : g.alerts).map((a) => ({ id: a.id, status: a.status, starts_at: a.starts_at, ends_at: a.ends_at, labels: a.labels, acked: a.acked_at !== null, silenced: a.silenced_by.length > 0, inhibited: a.inhibited_by.length > 0 })),
      };
    })
    .filter((g) => !firingOnly || g.firing > 0);
  return { window_days: days, firing: groups.reduce((n, g) => n + g.firing, 0), groups, left_out: list.left_out };
}

/** One line per group, e.g. `FIRING 2/5 alertname="DiskFull" since 2026-12-01T10:00Z: disk 95% (1 muted)`. */
export function summaryLine(g: AlertSummary['groups'][number]): string {
  const state = g.firing ? `FIRING ${g.firing}` : 'resolved';
  const since = g.since ? ` since ${g.since}` : ` last ${g.last_started}`;
  return `${state} ${g.key}${since}, ${g.episodes} episodes${g.muted ? ` (${g.muted} muted)` : ''}${g.summary ? `: ${g.summary.slice(0, 200)}` : ''}`;
}
