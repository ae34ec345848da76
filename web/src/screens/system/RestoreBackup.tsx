import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../../ui/States';
import { type Backup, systemApi } from './api';

/** Restore replaces all data: the button stays disabled until the backup's id is typed. */
export function RestoreBackup({ backup, onClose }: { backup: Backup; onClose: () => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [typed, setTyped] = useState('');
  const restore = useMutation({
    mutationFn: () => systemApi.restoreBackup(backup.id),
    onSuccess: () => queries.invalidateQueries(),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    if (typed.trim() === backup.id) restore.mutate();
  }
  return (
    <form onSubmit={submit} className="card" aria-labelledby="restore-heading">
      <h3 id="restore-heading">{t('system.restoreTitle', { id: backup.id })}</h3>
      <p className="notice error">{t('system.restoreWarning')}</p>
      <div className="field">
        <label htmlFor="restore-confirm">{t('system.restoreConfirm', { id: backup.id })}</label>
        <input id="restore-confirm" value={typed} autoComplete="off" onChange={(e) => setTyped(e.target.value)} />
      </div>
      {restore.isError && <ErrorNotice error={restore.error} />}
      {restore.isSuccess && (
        <p className="notice info" role="status">
          {t('system.restored', { id: restore.data.restored.id })}
          {restore.data.safety && ` ${t('system.safety', { id: restore.data.safety.id })}`}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={typed.trim() !== backup.id || restore.isPending || restore.isSuccess}>{t('system.restoreSubmit')}</button>
        <button type="button" onClick={onClose}>{t('system.close')}</button>
      </div>
    </form>
  );
}
