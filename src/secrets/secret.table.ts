import type { Insertable, Selectable, Updateable } from 'kysely';

/**
 * A secret's metadata. Its values live in `secret_versions`, encrypted. Timestamps are ISO-8601 UTC text;
 * states are nullable `*_at` columns (no booleans), as everywhere in the schema.
 */
export interface SecretTable {
  id: string;
  /** Unique, also among soft-deleted secrets (see secret-name.ts for the rules). */
  name: string;
  description: string | null;
  /** JSON array of strings. */
  tags: string;
  /** The newest version number; versions count from 1 and are never reused. */
  current_version: number;
  /** Versions kept for this secret; null follows MCPS_SECRET_MAX_VERSIONS. */
  max_versions: number | null;
  deleted_at: string | null;
  created_at: string;
  updated_at: string;
  last_used_at: string | null;
  last_rotated_at: string | null;
  rotation_reason: string | null;
}

/**
 * One version's ciphertext (see envelope.ts for the fields). Destroying a version sets `destroyed_at` and
 * wipes the four ciphertext columns to null; the row stays as a record that the version existed.
 */
export interface SecretVersionTable {
  secret_id: string;
  version: number;
  kek_version: string;
  wrapped_dek: string | null;
  nonce: string | null;
  tag: string | null;
  ciphertext: string | null;
  created_at: string;
  /** Who wrote it (user name, API key name, or `cli:<os user>`). */
  created_by: string | null;
  destroyed_at: string | null;
  /** Set when a rotation supersedes the version: readable until then (the overlap window), wiped after. */
  expires_at: string | null;
}

export type SecretRow = Selectable<SecretTable>;
export type NewSecretRow = Insertable<SecretTable>;
export type SecretUpdate = Updateable<SecretTable>;
export type SecretVersionRow = Selectable<SecretVersionTable>;
export type NewSecretVersionRow = Insertable<SecretVersionTable>;
/** A version without its ciphertext columns: what listings read. */
export type SecretVersionMeta = Omit<SecretVersionRow, 'wrapped_dek' | 'nonce' | 'tag' | 'ciphertext'>;
