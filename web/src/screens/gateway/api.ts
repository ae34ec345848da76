import { api } from '../../api/client';
import type { Page } from '../../api/types';

export interface GatewayTool {
  name: string;
  full_name: string;
  server: string;
  tool: string;
  kind: 'managed' | 'builtin';
  running: boolean;
  state: 'approved' | 'quarantined';
  flags: string[];
  description: string | null;
  hash: string;
  review: { approved: unknown; pending: unknown } | null;
}
export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  role: 'viewer' | 'operator' | 'admin';
  revoked_at: string | null;
  last_used_at: string | null;
  created_at: string;
}
export interface Allowlist { allowed_servers: string[] | null; allowed_tools: string[] | null }
export interface GatewaySession {
  id: string;
  endpoint: string;
  transport: 'streamable-http' | 'sse' | 'in-process';
  caller: string;
  principal: { type: 'user' | 'api_key'; id: string; name: string };
  client: { name: string; version: string } | null;
  protocol_version: string | null;
  created_at: string;
  last_seen_at: string;
}
export interface CreatedKey {
  key: string;
  api_key: ApiKey;
  allowlist: Allowlist;
}
export interface NewKey {
  name: string;
  role: ApiKey['role'];
  allowed_servers: string[] | null;
  allowed_tools: string[] | null;
}

const tool = (name: string) => `/gateway/tools/${encodeURIComponent(name)}`;

export const gatewayApi = {
  catalogue: () => api<{ separator: string; items: GatewayTool[] }>('/gateway/tools'),
  approve: (t: GatewayTool) => api<{ state: string }>(`${tool(t.name)}/approve`, { method: 'POST', body: { hash: t.hash } }),
  keys: () => api<Page<ApiKey>>('/auth/api-keys?limit=200'),
  allowlist: (id: string) => api<Allowlist>(`/gateway/api-keys/${encodeURIComponent(id)}/allowlist`),
  setAllowlist: (id: string, lists: Allowlist) => api<Allowlist>(`/gateway/api-keys/${encodeURIComponent(id)}/allowlist`, { method: 'PUT', body: lists }),
  sessions: () => api<{ items: GatewaySession[] }>('/gateway/sessions'),
  endSession: (id: string) => api<void>(`/gateway/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  createKey: (body: NewKey) => api<CreatedKey>('/gateway/api-keys', { method: 'POST', body }),
  revokeKey: (id: string) => api<ApiKey>(`/auth/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE' }),
};
