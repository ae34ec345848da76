import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../../i18n/format';
import { DataTable } from '../../ui/DataTable';
import { ErrorNotice, QueryView } from '../../ui/States';
import { useSession } from '../../api/session';
import { ROLES, systemApi, type User } from './api';
import { UserActions } from './EditUser';

/** Users and their roles (admins only: the section is shown with `users:read`); create one with a role. */
export function Users() {
  const { t } = useTranslation();
  const { can } = useSession();
  const list = useQuery({ queryKey: ['system', 'users'], queryFn: systemApi.users });
  return (
    <section aria-labelledby="users-heading">
      <h2 id="users-heading">{t('system.users')}</h2>
      <CreateUser />
      <QueryView query={list} isEmpty={(p) => p.items.length === 0}>
        {(page) => (
          <DataTable
            caption={t('system.users')}
            rows={page.items}
            rowKey={(u) => u.id}
            columns={[
              { key: 'username', header: t('system.username'), cell: (u) => u.username },
              { key: 'role', header: t('system.role'), cell: (u) => u.role },
              { key: 'disabled', header: t('system.status'), cell: (u) => (u.disabled ? t('system.disabled') : t('system.active')) },
              { key: 'login', header: t('system.lastLogin'), cell: (u) => formatTime(u.last_login_at) },
              ...(can('users:write') ? [{ key: 'actions', header: t('system.actions'), cell: (u: User) => <UserActions user={u} /> }] : []),
            ]}
          />
        )}
      </QueryView>
    </section>
  );
}

function CreateUser() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const create = useMutation({
    mutationFn: systemApi.createUser,
    onSuccess: () => queries.invalidateQueries({ queryKey: ['system', 'users'] }),
  });
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const body = { username: String(f.get('username') ?? '').trim(), password: String(f.get('password') ?? ''), role: String(f.get('role') ?? 'viewer') };
    create.mutate(body, { onSuccess: () => form.reset() });
  }
  return (
    <details className="card">
      <summary>{t('system.createUser')}</summary>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="user-name">{t('system.username')} *</label>
          <input id="user-name" name="username" required autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="user-password">{t('system.password')} *</label>
          <input id="user-password" name="password" type="password" required autoComplete="new-password" />
        </div>
        <div className="field">
          <label htmlFor="user-role">{t('system.role')}</label>
          <select id="user-role" name="role" defaultValue="viewer">
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </div>
        {create.isError && <ErrorNotice error={create.error} />}
        {create.isSuccess && <p className="notice info" role="status">{t('system.createdUser', { name: create.data.username })}</p>}
        <button type="submit" className="primary" disabled={create.isPending}>{t('system.createUserSubmit')}</button>
      </form>
    </details>
  );
}
