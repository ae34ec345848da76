import { api } from '../../api/client';
import type { Page } from '../../api/types';

export type Provider = 'cos' | 's3';

/** A storage profile as the API shows it: credentials are `${secret:NAME}` references, never values. */
export interface Profile {
  id: string;
  name: string;
  provider: Provider;
  region: string;
  bucket: string;
  endpoint: string | null;
  path_style: boolean;
  access_key_id: string;
  secret_access_key: string;
  prefix: string;
  date_pattern: string | null;
  timeout_ms: number;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface ProfileFields {
  provider: Provider;
  region: string;
  bucket: string;
  endpoint?: string | null;
  path_style?: boolean;
  access_key_id: string;
  secret_access_key: string;
  prefix?: string;
  date_pattern?: string | null;
  description?: string | null;
}

export interface ConnectionTest { ok: boolean; endpoint: string; bucket: string; objects_seen: number; ms: number }

export interface StorageObject { key: string; size: number; last_modified: string | null; etag: string | null; date: string | null }
export interface ObjectList {
  profile: string;
  items: StorageObject[];
  total_bytes: number;
  next_cursor: string | null;
  left_out: number;
  left_out_is_lower_bound: boolean;
  hint: string | null;
}
export interface ObjectQuery { prefix?: string; from?: string; to?: string; glob?: string; limit: number }

export interface DownloadedFile {
  key: string;
  status: 'downloaded' | 'skipped' | 'failed';
  path: string | null;
  bytes: number;
  resumed?: boolean;
  error?: string;
}
export interface DownloadResult {
  profile: string;
  directory: string;
  downloaded: number;
  skipped: number;
  failed: number;
  bytes: number;
  evicted: number;
  files: DownloadedFile[];
  left_out: number;
}

export interface SecretMeta { name: string; description: string | null }

const profile = (id: string) => `/storage/profiles/${encodeURIComponent(id)}`;

function objectsPath(id: string, q: ObjectQuery, cursor: string | null): string {
  const params = new URLSearchParams({ limit: String(q.limit) });
  for (const k of ['prefix', 'from', 'to', 'glob'] as const) if (q[k]) params.set(k, q[k]);
  if (cursor) params.set('cursor', cursor);
  return `${profile(id)}/objects?${params}`;
}

export const storageApi = {
  profiles: () => api<{ items: Profile[] }>('/storage/profiles'),
  create: (body: ProfileFields & { name: string }) => api<Profile>('/storage/profiles', { method: 'POST', body }),
  update: (id: string, body: ProfileFields) => api<Profile>(profile(id), { method: 'PUT', body }),
  remove: (id: string) => api<void>(profile(id), { method: 'DELETE' }),
  test: (id: string) => api<ConnectionTest>(`${profile(id)}/test`, { method: 'POST' }),
  objects: (id: string, q: ObjectQuery, cursor: string | null) => api<ObjectList>(objectsPath(id, q, cursor)),
  download: (body: { profile: string; keys: string[] }) => api<DownloadResult>('/storage/downloads', { method: 'POST', body }),
  secrets: () => api<Page<SecretMeta>>('/secrets?limit=500'),
};

/** `${secret:NAME}` for a secret name, and the name back from a whole reference (null otherwise). */
export const secretRef = (name: string) => `\${secret:${name}}`;
export function refName(value: string): string | null {
  return /^\$\{secret:([^}]+)\}$/.exec(value)?.[1] ?? null;
}
