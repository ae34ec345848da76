import { api } from '../../api/client';
import type { Page } from '../../api/types';

export interface Secret {
  id: string;
  name: string;
  description: string | null;
  tags: string[];
  current_version: number;
  version_count: number;
  max_versions: number;
  created_at: string;
  updated_at: string;
  last_used_at: string | null;
  last_rotated_at: string | null;
  rotation_reason: string | null;
  deleted_at: string | null;
}
export interface SecretVersion {
  version: number;
  state: 'current' | 'readable' | 'expired' | 'destroyed';
  kek_version: string;
  created_at: string;
  created_by: string | null;
  expires_at: string | null;
  destroyed_at: string | null;
}
export interface SecretDetail extends Secret {
  versions: SecretVersion[];
}
export interface NewSecret {
  name: string;
  value: string;
  description?: string;
}

const path = (name: string) => `/secrets/${encodeURIComponent(name)}`;

/** /secrets: metadata for readers; values only in request bodies and in the audited reveal. */
export const secretsApi = {
  list: (includeDeleted: boolean) => api<Page<Secret>>(`/secrets?limit=500&include_deleted=${includeDeleted}`),
  get: (name: string) => api<SecretDetail>(path(name)),
  create: (body: NewSecret) => api<SecretDetail>('/secrets', { method: 'POST', body }),
  setValue: (name: string, value: string) => api<SecretDetail>(path(name), { method: 'PUT', body: { value } }),
  rotate: (name: string, body: { value?: string; reason: string }) => api<SecretDetail>(`${path(name)}/rotate`, { method: 'POST', body }),
  reveal: (name: string, version: number, reason: string) =>
    api<{ name: string; version: number; value: string }>(`${path(name)}/reveal`, { method: 'POST', body: { version, reason } }),
  remove: (name: string) => api<void>(path(name), { method: 'DELETE' }),
  restore: (name: string) => api<SecretDetail>(`${path(name)}/restore`, { method: 'POST' }),
  destroyVersion: (name: string, version: number) => api<void>(`${path(name)}/versions/${version}`, { method: 'DELETE' }),
};
