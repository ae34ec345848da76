import { AppError } from '../http/app-error.js';
import { type Page, decodeCursor, toPage } from '../http/pagination.js';
import { nowIso } from '../lib/clock.js';
import { newId } from '../lib/ids.js';
import { generatePassword, hashPassword, verifyPassword } from './password.js';
import type { Role } from './roles.js';
import type { UserRepository } from './user.repository.js';
import type { ListedUserRow, UserRow } from './user.table.js';

export interface PublicUser {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
}

export function toPublicUser(u: ListedUserRow): PublicUser {
  return {
    id: u.id,
    username: u.username,
    role: u.role,
    disabled: u.disabled_at !== null,
    last_login_at: u.last_login_at,
    created_at: u.created_at,
    updated_at: u.updated_at,
  };
}

/**
 * A new `password_changed_at` for a password change: now, but always different from (later than) the
 * current value, since tokens stay valid exactly while it is unchanged (two changes in one millisecond
 * must still end the sessions between them).
 */
function nextPasswordGeneration(u: Pick<UserRow, 'password_changed_at'>): string {
  const now = nowIso();
  return now > u.password_changed_at ? now : new Date(Date.parse(u.password_changed_at) + 1).toISOString();
}

export interface UpdateUserInput {
  role?: Role;
  disabled?: boolean;
  password?: string;
}

export function createUsersService(deps: { users: UserRepository }) {
  const { users } = deps;

  async function getRow(idOrName: string): Promise<UserRow> {
    const u = (await users.findById(idOrName)) ?? (await users.findByUsername(idOrName));
    if (!u) throw AppError.notFound('user', idOrName);
    return u;
  }

  /** Refuses a change that would leave no enabled admin. */
  async function guardLastAdmin(u: UserRow, next: { role: Role; disabled: boolean } | 'deleted'): Promise<void> {
    if (u.role !== 'admin' || u.disabled_at !== null) return;
    const stillAdmin = next !== 'deleted' && next.role === 'admin' && !next.disabled;
    if (!stillAdmin && (await users.countActiveAdmins()) <= 1) {
      throw new AppError('conflict', 'cannot remove, disable or demote the last admin');
    }
  }

  return {
    getRow,

    async get(idOrName: string): Promise<PublicUser> {
      return toPublicUser(await getRow(idOrName));
    },

    async list(limit: number, cursor?: string): Promise<Page<PublicUser>> {
      const after = cursor === undefined ? undefined : decodeCursor<string>(cursor, 'string');
      const [rows, total] = await Promise.all([users.list(limit + 1, after), users.count()]);
      return toPage(rows, limit, (r) => r.username, toPublicUser, total);
    },

    async create(input: { username: string; password: string; role: Role }): Promise<PublicUser> {
      if (await users.findByUsername(input.username)) throw new AppError('conflict', `user '${input.username}' already exists`);
      const now = nowIso();
      const row: UserRow = {
        id: newId(),
        username: input.username,
        password_hash: await hashPassword(input.password),
        role: input.role,
        disabled_at: null,
        password_changed_at: now,
        last_login_at: null,
        created_at: now,
        updated_at: now,
      };
      try {
        await users.insert(row);
      } catch (err) {
        // Two requests racing for one username: the unique index decides.
        if (await users.findByUsername(input.username)) throw new AppError('conflict', `user '${input.username}' already exists`);
        throw err;
      }
      return toPublicUser(row);
    },

    async update(idOrName: string, input: UpdateUserInput): Promise<PublicUser> {
      const u = await getRow(idOrName);
      const role = input.role ?? u.role;
      const disabled = input.disabled ?? u.disabled_at !== null;
      await guardLastAdmin(u, { role, disabled });
      const now = nowIso();
      await users.update(u.id, {
        role,
        disabled_at: disabled ? (u.disabled_at ?? now) : null,
        ...(input.password !== undefined ? { password_hash: await hashPassword(input.password), password_changed_at: nextPasswordGeneration(u) } : {}),
        updated_at: now,
      });
      return toPublicUser((await users.findById(u.id))!);
    },

    async delete(idOrName: string, actingUserId?: string): Promise<void> {
      const u = await getRow(idOrName);
      if (u.id === actingUserId) throw new AppError('conflict', 'you cannot delete your own account');
      await guardLastAdmin(u, 'deleted');
      await users.delete(u.id);
    },

    async changeOwnPassword(userId: string, current: string, next: string): Promise<void> {
      const u = await getRow(userId);
      if (!(await verifyPassword(current, u.password_hash))) {
        throw new AppError('forbidden', 'current password is wrong');
      }
      await users.update(u.id, { password_hash: await hashPassword(next), password_changed_at: nextPasswordGeneration(u), updated_at: nowIso() });
    },

    /**
     * Creates the first admin when the database has no user. Returns the generated password when one
     * was generated (to print once), or null when the password came from configuration or users exist.
     */
    async ensureFirstAdmin(username: string, password: string | undefined): Promise<{ created: boolean; generatedPassword: string | null }> {
      if ((await users.count()) > 0) return { created: false, generatedPassword: null };
      const generated = password === undefined ? generatePassword() : null;
      try {
        await this.create({ username, password: password ?? generated!, role: 'admin' });
      } catch (err) {
        // Another instance created it first.
        if (err instanceof AppError && err.code === 'conflict') return { created: false, generatedPassword: null };
        throw err;
      }
      return { created: true, generatedPassword: generated };
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
