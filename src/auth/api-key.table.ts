import type { Insertable, Selectable } from 'kysely';
import type { Role } from './roles.js';

export interface ApiKeyTable {
  id: string;
  name: string;
  /** First characters of the key, shown in lists so a person can recognise it. */
  prefix: string;
  /** sha256 of the whole key; the key itself is never stored. */
  key_hash: string;
  role: Role;
  user_id: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  created_at: string;
}

export type ApiKeyRow = Selectable<ApiKeyTable>;
export type NewApiKeyRow = Insertable<ApiKeyTable>;
