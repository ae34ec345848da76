import { API_PREFIX, api } from '../../api/client';
import type { DatedProfile } from './downloaded-days';

export const FORMATS = ['json', 'logfmt', 'access', 'syslog5424', 'syslog3164', 'text', 'raw'] as const;
export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** What to read (files and globs under the log roots, or inline text) and which entries to keep. */
export interface Inputs {
  files?: string[];
  text?: string;
  format?: (typeof FORMATS)[number];
  timezone?: string;
  from?: string;
  to?: string;
  levels?: (typeof LEVELS)[number][];
  contains?: string;
}

export interface Source { name: string; format: string; bytes: number; lines: number }
type Iso = string | null;

export interface Analysis {
  sources: Source[];
  entries: number;
  matched: number;
  bytes: number;
  lines: number;
  time_range: { from: Iso; to: Iso } | null;
  levels: Record<string, number>;
  histogram: { bucket_seconds: number; buckets: { start: string; count: number }[] };
  top_errors: { items: { pattern: string; count: number; level: string; first_seen: Iso; last_seen: Iso; example: string }[]; groups: number; omitted: number };
  access: { requests: number; status_classes: Record<string, number>; latency_ms: Record<string, number> | null } | null;
  notes: string[];
}

export interface Template { id: string; template: string; count: number; first_seen: Iso; last_seen: Iso; example: string }
export interface Templates { sources: Source[]; entries: number; templates: Template[]; total_templates: number; omitted: number; notes: string[] }

export interface Hit { source: string; line: number; ts: Iso; level: string | null; text: string; match: [number, number]; before: string[]; after: string[] }
export interface SearchParams { query: string; regex: boolean; case_sensitive: boolean; context: number; limit: number }
export interface SearchResult { sources: Source[]; entries: number; matches: number; hits: Hit[]; omitted: number; notes: string[] }

export interface Window { from: string; to: string }
export interface CompareParams { incident: Window; baseline?: Window }
export interface Change { id: string; template: string; baseline: number; incident: number; ratio: number | null; evidence: string[] }
export interface Changes { items: Change[]; total: number; omitted: number }
export interface WindowStats { entries: number; errors: number; error_rate: number; from: Iso; to: Iso }
export interface Comparison {
  sources: Source[];
  windows: { baseline: WindowStats; incident: WindowStats };
  new_templates: Changes;
  grown_templates: Changes;
  vanished_templates: Changes;
  notes: string[];
}

export type ReportKind = 'analyze' | 'search' | 'templates' | 'compare';
export type ReportFormat = 'json' | 'csv' | 'markdown';
export interface Report { name: string; format: ReportFormat; bytes: number; download: string }

const post = <T>(path: string, body: object) => api<T>(path, { method: 'POST', body });

export const analyzerApi = {
  analyze: (i: Inputs) => post<Analysis>('/analyzer/analyze', { ...i, top_errors: 10 }),
  templates: (i: Inputs) => post<Templates>('/analyzer/templates', { ...i, limit: 50 }),
  search: (i: Inputs, s: SearchParams) => post<SearchResult>('/analyzer/search', { ...i, ...s }),
  compare: (i: Inputs, c: CompareParams) => post<Comparison>('/analyzer/compare', { ...i, ...c }),
  exportReport: (kind: ReportKind, params: object, format: ReportFormat) => post<Report>('/analyzer/exports', { kind, params, format }),
  /** Storage profiles (storage:read), to find their downloads by date. */
  profiles: () => api<{ items: DatedProfile[] }>('/storage/profiles'),
  /** The report's URL for a plain link (the session cookie authenticates it). */
  reportUrl: (name: string) => `${API_PREFIX}/analyzer/exports/${encodeURIComponent(name)}`,
};
