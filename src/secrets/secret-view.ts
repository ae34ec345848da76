import type { SecretRow, SecretVersionMeta } from './secret.table.js';

/** What callers see of a secret: metadata only, never a value. */
export interface SecretView {
  id: string;
  name: string;
  description: string | null;
  tags: string[];
  current_version: number;
  version_count: number;
  /** The limit in force (the secret's own, else MCPS_SECRET_MAX_VERSIONS). */
  max_versions: number;
  created_at: string;
  updated_at: string;
  last_used_at: string | null;
  last_rotated_at: string | null;
  rotation_reason: string | null;
  deleted_at: string | null;
}

export type SecretVersionState = 'current' | 'readable' | 'expired' | 'destroyed';

export interface SecretVersionView {
  version: number;
  state: SecretVersionState;
  kek_version: string;
  created_at: string;
  created_by: string | null;
  /** End of the rotation overlap window, if the version was rotated out. */
  expires_at: string | null;
  destroyed_at: string | null;
}

export interface SecretDetail extends SecretView {
  versions: SecretVersionView[];
}

export function toSecretView(row: SecretRow, versionCount: number, defaultMaxVersions: number): SecretView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    tags: parseTags(row.tags),
    current_version: row.current_version,
    version_count: versionCount,
    max_versions: row.max_versions ?? defaultMaxVersions,
    created_at: row.created_at,
    updated_at: row.updated_at,
    last_used_at: row.last_used_at,
    last_rotated_at: row.last_rotated_at,
    rotation_reason: row.rotation_reason,
    deleted_at: row.deleted_at,
  };
}

export function versionState(v: Pick<SecretVersionMeta, 'version' | 'destroyed_at' | 'expires_at'>, current: number, now: string): SecretVersionState {
  if (v.destroyed_at !== null) return 'destroyed';
  if (v.version === current) return 'current';
  if (v.expires_at !== null && v.expires_at <= now) return 'expired';
  return 'readable';
}

export function toVersionView(v: SecretVersionMeta, current: number, now: string): SecretVersionView {
  return {
    version: v.version,
    state: versionState(v, current, now),
    kek_version: v.kek_version,
    created_at: v.created_at,
    created_by: v.created_by,
    expires_at: v.expires_at,
    destroyed_at: v.destroyed_at,
  };
}

function parseTags(text: string): string[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}
