import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmDialog } from '../../ui/Dialog';
import { type Backup, systemApi } from './api';

/** Delete a backup, after a confirmation naming it. */
export function DeleteBackup({ backup }: { backup: Backup }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [asking, setAsking] = useState(false);
  const name = backup.label ?? backup.id;
  const remove = useMutation({
    mutationFn: () => systemApi.deleteBackup(backup.id),
    onSuccess: () => {
      setAsking(false);
      return queries.invalidateQueries({ queryKey: ['system', 'backups'] });
    },
  });
  return (
    <>
      <button type="button" onClick={() => setAsking(true)} aria-label={t('systemExtra.deleteBackupOf', { name })}>{t('systemExtra.delete')}</button>
      {asking && (
        <ConfirmDialog
          title={t('systemExtra.deleteBackupTitle', { name })}
          message={t('systemExtra.deleteBackupMessage', { id: backup.id })}
          confirmLabel={t('systemExtra.deleteBackupConfirm')}
          onConfirm={() => remove.mutate()}
          onClose={() => {
            setAsking(false);
            remove.reset();
          }}
          pending={remove.isPending}
          error={remove.error}
        />
      )}
    </>
  );
}
