import type { Language, NotifyMessage, Severity } from './notify-message.js';
import { wordsFor } from './message-words.js';

/** An alert as the alerts domain holds it (Alertmanager's shape). */
export interface AlertForMessage {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  status: 'firing' | 'resolved';
  startsAt: string;
  endsAt?: string | null;
  generatorURL?: string | null;
}

/** A routed group: the labels it is grouped by, its alerts, and optionally where to see it. */
export interface AlertGroupForMessage {
  groupLabels?: Record<string, string>;
  alerts: AlertForMessage[];
  url?: string | null;
}

const RANK: Record<string, number> = { critical: 4, error: 3, warning: 2, info: 1 };
const MAX_LISTED = 20;

function severityOf(group: AlertGroupForMessage): Severity {
  const firing = group.alerts.filter((a) => a.status === 'firing');
  if (firing.length === 0) return 'resolved';
  const best = Math.max(...firing.map((a) => RANK[(a.labels['severity'] ?? '').toLowerCase()] ?? 2));
  return (Object.keys(RANK).find((k) => RANK[k] === best) ?? 'warning') as Severity;
}

function alertLine(a: AlertForMessage, language: Language): string {
  const w = wordsFor(language);
  const name = a.labels['alertname'] ?? Object.values(a.labels)[0] ?? '?';
  const about = a.annotations?.['summary'] ?? a.annotations?.['description'] ?? '';
  const status = a.status === 'firing' ? w.firing : w.resolved;
  return `- ${name} (${status}, ${w.since} ${a.startsAt})${about ? `: ${about}` : ''}`;
}

/**
 * Pure: the NotifyMessage for a routed alert group (what the alerts domain hands to
 * `NotifyService.send`). Title: the group labels (or the first alert's name) and firing/resolved
 * counts; severity: the highest `severity` label of the firing alerts (`resolved` when none fire);
 * text: one line per alert (at most 20, then "+N"); fields: the group labels; url: the group's or
 * the first alert's generatorURL.
 */
export function renderAlertGroupMessage(group: AlertGroupForMessage, language: Language): NotifyMessage {
  const w = wordsFor(language);
  const firing = group.alerts.filter((a) => a.status === 'firing').length;
  const resolved = group.alerts.length - firing;
  const labels = group.groupLabels ?? {};
  const name = Object.values(labels).join(' / ') || group.alerts[0]?.labels['alertname'] || 'alerts';
  const counts = [firing ? `${firing} ${w.firing}` : '', resolved ? `${resolved} ${w.resolved}` : ''].filter(Boolean).join(', ');
  const lines = group.alerts.slice(0, MAX_LISTED).map((a) => alertLine(a, language));
  if (group.alerts.length > MAX_LISTED) lines.push(`+${group.alerts.length - MAX_LISTED} ${w.alerts}`);
  const url = group.url ?? group.alerts.find((a) => a.generatorURL)?.generatorURL ?? undefined;
  return {
    title: `${name} (${counts})`,
    text: lines.join('\n'),
    severity: severityOf(group),
    fields: Object.entries(labels).map(([k, v]) => ({ name: k, value: v })),
    ...(url ? { url } : {}),
    language,
  };
}
