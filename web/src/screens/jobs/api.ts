import { api } from '../../api/client';

export type BatchStatus = 'running' | 'completed' | 'failed' | 'cancelled';
export type ItemStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';
export const ITEM_STATUSES: ItemStatus[] = ['pending', 'running', 'done', 'failed', 'cancelled'];

export interface Progress { total: number; pending: number; running: number; done: number; failed: number; cancelled: number }
export interface Batch {
  id: string;
  operation: string;
  params: Record<string, unknown>;
  status: BatchStatus;
  concurrency: number;
  max_attempts: number;
  backoff_ms: number;
  progress: Progress;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}
export interface Item {
  seq: number;
  input: unknown;
  status: ItemStatus;
  attempts: number;
  result: unknown;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
}
export interface BatchDetail extends Batch { items: Item[]; items_offset: number; items_left_out: number }
export interface StartBatch { operation: 'download_analyze' | 'call_tool'; params: Record<string, unknown>; concurrency?: number }

/** Refresh every 2 s while a batch runs. */
export const LIVE = 2000;
export const PAGE = 50;

export const jobsApi = {
  list: () => api<{ items: Batch[]; next_before: string | null }>('/jobs?limit=50'),
  get: (id: string, offset: number, status?: ItemStatus) => {
    const q = new URLSearchParams({ offset: String(offset), limit: String(PAGE) });
    if (status) q.set('status', status);
    return api<BatchDetail>(`/jobs/${encodeURIComponent(id)}?${q}`);
  },
  start: (body: StartBatch) => api<Batch>('/jobs', { method: 'POST', body }),
  cancel: (id: string) => api<Batch>(`/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' }),
  profiles: () => api<{ items: { name: string }[] }>('/storage/profiles'),
  servers: () => api<{ items: { id: string; name: string }[] }>('/tools?limit=200'),
};

/** A result in one line: a tool's text, else the JSON cut short. */
export function resultSummary(result: unknown): string {
  if (result == null) return '';
  if (typeof result === 'object' && typeof (result as { text?: unknown }).text === 'string') return (result as { text: string }).text.slice(0, 300);
  return JSON.stringify(result).slice(0, 300);
}

/** JSON objects one per line; the first bad line is reported (1-based). */
export function parseInputLines(text: string): { inputs: Record<string, unknown>[]; bad: number | null } {
  const inputs: Record<string, unknown>[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return { inputs, bad: i + 1 };
      inputs.push(v as Record<string, unknown>);
    } catch {
      return { inputs, bad: i + 1 };
    }
  }
  return { inputs, bad: null };
}
