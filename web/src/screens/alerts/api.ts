import { api } from '../../api/client';

export type Labels = Record<string, string>;
export interface Matcher { name: string; op: '=' | '!=' | '=~' | '!~'; value: string }
export interface Alert {
  id: string;
  fingerprint: string;
  status: 'firing' | 'resolved';
  starts_at: string;
  ends_at: string | null;
  labels: Labels;
  annotations: Labels;
  generator_url: string | null;
  source: string;
  received_count: number;
  first_received_at: string;
  last_received_at: string;
  acked_at: string | null;
  acked_by: string | null;
  resolved_by: string | null;
  silenced_by: string[];
  inhibited_by: string[];
}
export interface Note { id: string; author: string; text: string; created_at: string }
export interface AlertGroup { key: string; labels: Labels; firing: number; resolved: number; alerts: Alert[] }
export interface AlertList { total: number; left_out: number; groups: AlertGroup[] }
export interface Silence { id: string; matchers: Matcher[]; starts_at: string; ends_at: string; created_by: string; comment: string; state: 'pending' | 'active' | 'expired' }
export interface InhibitRule { id: string; name: string; source_matchers: Matcher[]; target_matchers: Matcher[]; equal: string[] }
export type ReceiverKind = 'alertmanager' | 'grafana' | 'generic';
export interface Receiver { id: string; name: string; kind: ReceiverKind; token: string | null; hmac_secret: string | null; enabled: boolean; description: string | null; url: string }

const post = <T>(path: string, body?: unknown) => api<T>(path, { method: 'POST', body: body ?? {} });

export const alertsApi = {
  list: (state: 'firing' | 'resolved', days: number, groupBy = 'alertname') => api<AlertList>(`/alerts?state=${state}&days=${days}&group_by=${encodeURIComponent(groupBy)}`),
  get: (id: string) => api<Alert & { notes: Note[] }>(`/alerts/${encodeURIComponent(id)}`),
  ack: (id: string, comment?: string) => post<Alert>(`/alerts/${encodeURIComponent(id)}/ack`, comment ? { comment } : {}),
  resolve: (id: string) => post<Alert>(`/alerts/${encodeURIComponent(id)}/resolve`),
  note: (id: string, text: string) => post<Note>(`/alerts/${encodeURIComponent(id)}/notes`, { text }),
  silences: () => api<{ items: Silence[] }>('/silences?state=all'),
  createSilence: (body: { matchers: Matcher[]; starts_at?: string; ends_at?: string; duration_minutes?: number; comment: string }) => post<Silence>('/silences', body),
  expireSilence: (id: string) => post<Silence>(`/silences/${encodeURIComponent(id)}/expire`),
  rules: () => api<{ items: InhibitRule[] }>('/alerts/inhibit-rules'),
  createRule: (body: { name: string; source_matchers: Matcher[]; target_matchers: Matcher[]; equal: string[] }) => post<InhibitRule>('/alerts/inhibit-rules', body),
  deleteRule: (id: string) => api<void>(`/alerts/inhibit-rules/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  receivers: () => api<{ items: Receiver[] }>('/alerts/receivers'),
  createReceiver: (body: { name: string; kind: ReceiverKind; token?: string; hmac_secret?: string; description?: string }) => post<Receiver>('/alerts/receivers', body),
  deleteReceiver: (id: string) => api<void>(`/alerts/receivers/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  routing: () => api<unknown>('/alerts/routing'),
  setRouting: (tree: unknown) => api<unknown>('/alerts/routing', { method: 'PUT', body: tree }),
  secrets: () => api<{ items: { name: string }[] }>('/secrets?limit=500'),
};

/** Alertmanager's text form of a matcher, e.g. `severity=~"critical|page"` (as the server's parseMatcher). */
export function parseMatcher(text: string): Matcher | null {
  const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|(.*?))\s*$/.exec(text);
  if (!m) return null;
  const value = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[4]!;
  return { name: m[1]!, op: m[2] as Matcher['op'], value };
}

export const formatMatcher = (m: Matcher) => `${m.name}${m.op}${JSON.stringify(m.value)}`;

/** One matcher a line (blank lines skipped); the lines that do not parse are returned as errors. */
export function parseMatcherLines(text: string): { matchers: Matcher[]; bad: string[] } {
  const matchers: Matcher[] = [];
  const bad: string[] = [];
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const m = parseMatcher(line);
    if (m) matchers.push(m);
    else bad.push(line);
  }
  return { matchers, bad };
}

/**
 * The server's matching, in the browser, for the silence preview: a missing label reads as "", regexes
 * are anchored at both ends. (The server runs RE2; JavaScript's engine agrees on the common syntax.)
 * Throws on an invalid regex.
 */
export function matchesAll(matchers: Matcher[], labels: Labels): boolean {
  return matchers.every((m) => {
    const v = labels[m.name] ?? '';
    switch (m.op) {
      case '=': return v === m.value;
      case '!=': return v !== m.value;
      case '=~': return anchored(m.value).test(v);
      case '!~': return !anchored(m.value).test(v);
    }
  });
}

/** `^(?:value)$`; RE2's leading `(?i)` (case-insensitive), which JavaScript writes as a flag, is understood. */
function anchored(value: string): RegExp {
  const insensitive = value.startsWith('(?i)');
  return new RegExp(`^(?:${insensitive ? value.slice(4) : value})$`, insensitive ? 'i' : '');
}

export const labelText = (labels: Labels) => Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ');
