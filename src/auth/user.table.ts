import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Role } from './roles.js';

/** Timestamps are ISO-8601 UTC strings on both SQLite and PostgreSQL (sortable as text). */
export interface UserTable {
  id: string;
  username: string;
  password_hash: string;
  role: Role;
  disabled_at: string | null;
  /** The password generation: changes with every password change; tokens carry it and are refused once it differs. */
  password_changed_at: string;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
}

export type UserRow = Selectable<UserTable>;
/** A user as lists read it: without the password hash and generation. */
export type ListedUserRow = Omit<UserRow, 'password_hash' | 'password_changed_at'>;
export type NewUserRow = Insertable<UserTable>;
export type UserUpdate = Updateable<UserTable>;
