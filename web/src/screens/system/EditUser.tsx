import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmDialog, Dialog } from '../../ui/Dialog';
import { ErrorNotice } from '../../ui/States';
import { ROLES, type User, type UserChanges, systemApi } from './api';

/** The fields that differ from the user as they are (the API refuses an empty change). */
function changesOf(user: User, form: FormData): UserChanges {
  const changes: UserChanges = {};
  const role = String(form.get('role') ?? user.role) as User['role'];
  const disabled = form.get('disabled') === 'on';
  const password = String(form.get('password') ?? '');
  if (role !== user.role) changes.role = role;
  if (disabled !== user.disabled) changes.disabled = disabled;
  if (password) changes.password = password;
  return changes;
}

/** Change a user's role, disable or enable them, set a new password (the API's policy applies and its reason is shown). */
function EditUserDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [unchanged, setUnchanged] = useState(false);
  const save = useMutation({
    mutationFn: (changes: UserChanges) => systemApi.updateUser(user.id, changes),
    onSuccess: () => {
      onClose();
      return queries.invalidateQueries({ queryKey: ['system', 'users'] });
    },
  });
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const changes = changesOf(user, new FormData(e.currentTarget));
    setUnchanged(Object.keys(changes).length === 0);
    if (Object.keys(changes).length > 0) save.mutate(changes);
  }
  return (
    <Dialog title={t('systemExtra.editUserTitle', { name: user.username })} onClose={onClose}>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="edit-user-role">{t('system.role')}</label>
          <select id="edit-user-role" name="role" defaultValue={user.role}>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </div>
        <div className="field check">
          <input id="edit-user-disabled" name="disabled" type="checkbox" defaultChecked={user.disabled} />
          <label htmlFor="edit-user-disabled">{t('systemExtra.disabledField')}</label>
        </div>
        <div className="field">
          <label htmlFor="edit-user-password">{t('systemExtra.newPassword')}</label>
          <input id="edit-user-password" name="password" type="password" autoComplete="new-password" aria-describedby="edit-user-password-hint" />
          <span id="edit-user-password-hint" className="hint muted">{t('systemExtra.newPasswordHint')}</span>
        </div>
        {unchanged && <p className="notice info" role="status">{t('systemExtra.nothingChanged')}</p>}
        {save.isError && <ErrorNotice error={save.error} />}
        <div className="actions">
          <button type="submit" className="primary" disabled={save.isPending}>{t('systemExtra.saveUser')}</button>
          <button type="button" onClick={onClose}>{t('dialog.cancel')}</button>
        </div>
      </form>
    </Dialog>
  );
}

/** Edit and Delete for one user row (admins). Deleting oneself or the last admin is refused by the API, with its reason shown. */
export function UserActions({ user }: { user: User }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [open, setOpen] = useState<'edit' | 'delete' | null>(null);
  const remove = useMutation({
    mutationFn: () => systemApi.deleteUser(user.id),
    onSuccess: () => {
      setOpen(null);
      return queries.invalidateQueries({ queryKey: ['system', 'users'] });
    },
  });
  const close = () => {
    setOpen(null);
    remove.reset();
  };
  return (
    <div className="actions">
      <button type="button" onClick={() => setOpen('edit')} aria-label={t('systemExtra.editUserOf', { name: user.username })}>{t('systemExtra.edit')}</button>
      <button type="button" onClick={() => setOpen('delete')} aria-label={t('systemExtra.deleteUserOf', { name: user.username })}>{t('systemExtra.delete')}</button>
      {open === 'edit' && <EditUserDialog user={user} onClose={close} />}
      {open === 'delete' && (
        <ConfirmDialog
          title={t('systemExtra.deleteUserTitle', { name: user.username })}
          message={t('systemExtra.deleteUserMessage')}
          confirmLabel={t('systemExtra.deleteUserConfirm')}
          onConfirm={() => remove.mutate()}
          onClose={close}
          pending={remove.isPending}
          error={remove.error}
        />
      )}
    </div>
  );
}
