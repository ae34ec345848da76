import { api } from '../../api/client';
import type { Page } from '../../api/types';

export interface Server {
  id: string;
  name: string;
  description: string | null;
  transport: string;
  enabled: boolean;
}
export interface ServerStatus {
  id: string;
  name: string;
  state: string;
  pid: number | null;
  restarts: number;
  uptime_ms: number | null;
  last_error: string | null;
}
export interface Tool {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: JsonSchema;
}
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  items?: JsonSchema;
}
export interface Capabilities {
  tools: Tool[];
  resources: { uri: string; name?: string; description?: string }[];
  prompts: { name: string; description?: string }[];
}
export interface ServerMetrics {
  totals: { calls: number; errors: number };
  samples: { time: string; cpu_percent: number | null; rss_bytes: number | null }[];
}
export interface ContentBlock { type: string; text?: string; data?: string; mimeType?: string }
export interface ToolResult { content?: ContentBlock[]; structuredContent?: unknown; isError?: boolean }

export const serversApi = {
  list: () => api<Page<Server>>('/tools?limit=200'),
  get: (id: string) => api<Server>(`/tools/${encodeURIComponent(id)}`),
  status: (id: string) => api<ServerStatus>(`/tools/${encodeURIComponent(id)}/status`),
  capabilities: (id: string) => api<Capabilities>(`/tools/${encodeURIComponent(id)}/capabilities`),
  metrics: (id: string) => api<ServerMetrics>(`/tools/${encodeURIComponent(id)}/metrics`),
  stderr: (id: string) => api<{ lines: string[] }>(`/tools/${encodeURIComponent(id)}/stderr?tail=50`),
  create: (body: Record<string, unknown>) => api<Server>('/tools', { method: 'POST', body }),
  act: (id: string, verb: 'start' | 'stop' | 'restart') => api<ServerStatus>(`/tools/${encodeURIComponent(id)}/${verb}`, { method: 'POST' }),
  call: (id: string, tool: string, args: Record<string, unknown>) =>
    api<ToolResult>(`/tools/${encodeURIComponent(id)}/call`, { method: 'POST', body: { tool, arguments: args } }),
};
