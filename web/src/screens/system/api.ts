import { api, API_PREFIX } from '../../api/client';
import { uploadFile } from '../../api/upload';
import type { Page } from '../../api/types';

export interface RuntimeSetting {
  key: string;
  value: unknown;
  default: unknown;
  source: 'database' | 'env' | 'file' | 'default';
  env: string | null;
  description: string;
  updated_at: string | null;
  updated_by: string | null;
}
export interface RestartSetting {
  name: string;
  value: unknown;
  source: 'env' | 'file' | 'default';
  secret: boolean;
  runtime_setting: string | null;
}
export interface Settings {
  runtime: RuntimeSetting[];
  restart_required: RestartSetting[];
}
export const ROLES = ['admin', 'operator', 'viewer'] as const;
export interface User {
  id: string;
  username: string;
  role: (typeof ROLES)[number];
  disabled: boolean;
  last_login_at: string | null;
  created_at: string;
}
export interface Backup {
  id: string;
  kind: 'manual' | 'scheduled' | 'safety' | 'upload';
  label: string | null;
  created_at: string;
  total_rows: number;
  size_bytes: number;
  sha256: string;
}
export interface BackupList {
  items: Backup[];
  schedule: { schedule: string | null; next_run: string | null; keep_count: number; keep_days: number };
}
export interface SystemInfo {
  version: string;
  started_at: string;
  uptime_seconds: number;
  pid: number;
  instance_id: string;
  node: { version: string; v8: string };
  os: { platform: string; type: string; release: string; arch: string; hostname: string };
  cpu: { model: string; cores: number; speed_mhz: number | null };
  memory: { total_bytes: number; free_bytes: number };
  disk: { path: string; total_bytes: number; free_bytes: number; used_bytes: number } | null;
  database: { kind: 'sqlite' | 'postgres'; version: string | null; url: string; size_bytes: number | null; schema_version: string | null };
  redis: { configured: boolean; url: string | null; reachable: boolean | null; latency_ms: number | null; error: string | null };
  config: {
    environment: string;
    host: string;
    port: number;
    api_prefix: string;
    data_dir: string;
    log_dir: string;
    backup_dir: string;
    log_level: string;
  };
}
export interface UserChanges {
  role?: User['role'];
  disabled?: boolean;
  password?: string;
}
export interface RestoreOutcome {
  restored: Backup;
  safety: Backup | null;
  notes: string[];
}

const backup = (id: string) => `/system/backups/${encodeURIComponent(id)}`;

export const systemApi = {
  settings: () => api<Settings>('/system/config'),
  updateSettings: (changes: Record<string, unknown>) => api<Settings>('/system/config', { method: 'PUT', body: changes }),
  backups: () => api<BackupList>('/system/backups'),
  createBackup: (label: string) => api<Backup>('/system/backups', { method: 'POST', body: label ? { label } : {} }),
  verifyBackup: (id: string) => api<Backup>(`${backup(id)}/verify`, { method: 'POST' }),
  restoreBackup: (id: string) => api<RestoreOutcome>(`${backup(id)}/restore`, { method: 'POST', body: { safety_backup: true } }),
  users: () => api<Page<User>>('/users?limit=200'),
  createUser: (body: { username: string; password: string; role: string }) => api<User>('/users', { method: 'POST', body }),
  info: () => api<SystemInfo>('/system/info'),
  uploadBackup: (file: Blob, label: string, onProgress: (fraction: number) => void) =>
    uploadFile<Backup>(`/system/backups/upload${label ? `?label=${encodeURIComponent(label)}` : ''}`, file, { contentType: 'application/gzip', onProgress }),
  deleteBackup: (id: string) => api<void>(backup(id), { method: 'DELETE' }),
  updateUser: (id: string, changes: UserChanges) => api<User>(`/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: changes }),
  deleteUser: (id: string) => api<void>(`/users/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  downloadUrl: (id: string) => `${API_PREFIX}${backup(id)}/download`,
};

/** A setting's value as text to edit: strings as they are, anything else as JSON. */
export function settingText(value: unknown): string {
  return typeof value === 'string' ? value : value === null ? '' : JSON.stringify(value);
}

/** Text back to a value: empty resets to the default (null), JSON where it parses, else the string. */
export function settingValue(text: string): unknown {
  const s = text.trim();
  if (s === '') return null;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return s;
  }
}
