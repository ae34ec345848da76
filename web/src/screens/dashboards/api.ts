import { api, API_PREFIX } from '../../api/client';

/** A saved dashboard as the API shows it: the token is a `${secret:NAME}` reference, never a value. */
export interface Dashboard {
  id: string;
  name: string;
  kind: 'url' | 'grafana';
  url: string;
  uid: string | null;
  panel_id: number | null;
  mode: 'browser' | 'render';
  token: string | null;
  time_from: string;
  time_to: string;
  variables: Record<string, string | string[]>;
  width: number;
  height: number;
  theme: 'light' | 'dark' | null;
  description: string | null;
}

export interface DashboardFields {
  name: string;
  kind: 'url' | 'grafana';
  url: string;
  uid?: string | null;
  token?: string | null;
  time_from?: string;
  time_to?: string;
}

export interface Screenshot {
  id: string;
  dashboard_id: string | null;
  dashboard_name: string | null;
  url: string;
  mode: 'browser' | 'render';
  format: 'png' | 'pdf';
  mime_type: string;
  bytes: number;
  width: number;
  height: number;
  time_from: string | null;
  time_to: string | null;
  ms: number;
  created_at: string;
  link: string;
}

const dashboard = (id: string) => `/dashboards/${encodeURIComponent(id)}`;

export const dashboardsApi = {
  list: () => api<{ items: Dashboard[] }>('/dashboards'),
  create: (body: DashboardFields) => api<Dashboard>('/dashboards', { method: 'POST', body }),
  remove: (id: string) => api<void>(dashboard(id), { method: 'DELETE' }),
  capture: (id: string, body: { from?: string; to?: string }) => api<Screenshot>(`${dashboard(id)}/capture`, { method: 'POST', body }),
  screenshots: () => api<{ items: Screenshot[]; total: number }>('/screenshots?limit=60'),
  removeShot: (id: string) => api<void>(`/screenshots/${encodeURIComponent(id)}`, { method: 'DELETE' }),
};

/** The file's URL for an <img> or a download link (the session cookie authenticates it). */
export const fileUrl = (shot: Screenshot, download = false) => `${API_PREFIX}/screenshots/${encodeURIComponent(shot.id)}/file${download ? '?download=1' : ''}`;
