import { api } from '../../api/client';

/** A server's whole definition (GET /tools/{id}); env / headers hold `${secret:NAME}` references as written, credential-like literals as `***`. */
export interface ServerConfig {
  id: string;
  name: string;
  description: string | null;
  transport: 'stdio' | 'streamable-http' | 'sse' | 'websocket';
  command: string | null;
  args: string[];
  env: Record<string, string>;
  cwd: string | null;
  url: string | null;
  headers: Record<string, string>;
  placement: 'one' | 'every';
  updated_at: string;
}
export interface ImportReport {
  created: { name: string; source: string }[];
  updated: { name: string; source: string }[];
  skipped: { name: string | null; source: string; reason: string }[];
}
export interface Publication {
  id: string;
  server_id: string | null;
  endpoint: string;
  token_secret: string | null;
  enabled: boolean;
  created_by: string | null;
  created_at: string;
  status: { state: string; last_error: string | null; connects: number; messages_in: number; messages_out: number } | null;
  standby: boolean;
}

const tool = (id: string) => `/tools/${encodeURIComponent(id)}`;

/** Changing servers (admins), importing an mcpServers file, publishing, and the secret names a reference may use. */
export const serverConfigApi = {
  get: (id: string) => api<ServerConfig>(tool(id)),
  update: (id: string, body: Record<string, unknown>) => api<ServerConfig>(tool(id), { method: 'PUT', body }),
  importFile: (body: unknown) => api<ImportReport>('/tools/import', { method: 'POST', body }),
  publications: () => api<{ items: Publication[]; total: number }>('/publications'),
  publish: (id: string, endpoint: string) => api<Publication>(`${tool(id)}/publish`, { method: 'POST', body: { endpoint } }),
  unpublish: (id: string) => api<void>(`${tool(id)}/publish`, { method: 'DELETE' }),
};
