import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { formatBytes, formatNumber, formatTime } from '../../i18n/format';
import { DataTable } from '../../ui/DataTable';
import { ErrorNotice, QueryView } from '../../ui/States';
import { type Backup, systemApi } from './api';
import { DeleteBackup } from './DeleteBackup';
import { RestoreBackup } from './RestoreBackup';
import { UploadBackup } from './UploadBackup';

/** Backups: the list and schedule; admins create, download, verify and restore. */
export function Backups() {
  const { t } = useTranslation();
  const { can } = useSession();
  const list = useQuery({ queryKey: ['system', 'backups'], queryFn: systemApi.backups });
  const [restoring, setRestoring] = useState<Backup | null>(null);
  return (
    <section aria-labelledby="backups-heading">
      <h2 id="backups-heading">{t('system.backups')}</h2>
      {can('backups:write') && <CreateBackup />}
      {can('backups:write') && <UploadBackup />}
      <QueryView query={list} isEmpty={(d) => d.items.length === 0} empty={t('system.noBackups')}>
        {(data) => (
          <>
            <p className="muted">
              {data.schedule.schedule ? t('system.schedule', { schedule: data.schedule.schedule }) : t('system.noSchedule')}
              {data.schedule.next_run && ` ${t('system.nextRun', { time: formatTime(data.schedule.next_run) })}`}
            </p>
            <DataTable
              caption={t('system.backups')}
              rows={data.items}
              rowKey={(b) => b.id}
              columns={[
                { key: 'id', header: t('system.backup'), cell: (b) => <><code>{b.id}</code>{b.label && <><br />{b.label}</>}</> },
                { key: 'kind', header: t('system.kind'), cell: (b) => b.kind },
                { key: 'created', header: t('system.created'), cell: (b) => formatTime(b.created_at) },
                { key: 'rows', header: t('system.rows'), numeric: true, cell: (b) => formatNumber(b.total_rows) },
                { key: 'size', header: t('system.size'), numeric: true, cell: (b) => formatBytes(b.size_bytes) },
                { key: 'actions', header: t('system.actions'), cell: (b) => <BackupActions backup={b} onRestore={() => setRestoring(b)} /> },
              ]}
            />
          </>
        )}
      </QueryView>
      {restoring && <RestoreBackup backup={restoring} onClose={() => setRestoring(null)} />}
    </section>
  );
}

function CreateBackup() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [label, setLabel] = useState('');
  const create = useMutation({
    mutationFn: () => systemApi.createBackup(label.trim()),
    onSuccess: () => {
      setLabel('');
      return queries.invalidateQueries({ queryKey: ['system', 'backups'] });
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }
  return (
    <form onSubmit={submit} className="card">
      <div className="field">
        <label htmlFor="backup-label">{t('system.label')}</label>
        <input id="backup-label" value={label} maxLength={200} onChange={(e) => setLabel(e.target.value)} />
      </div>
      {create.isError && <ErrorNotice error={create.error} />}
      {create.isSuccess && <p className="notice info" role="status">{t('system.createdBackup', { id: create.data.id })}</p>}
      <button type="submit" className="primary" disabled={create.isPending}>{create.isPending ? t('system.creating') : t('system.createBackup')}</button>
    </form>
  );
}

function BackupActions({ backup, onRestore }: { backup: Backup; onRestore: () => void }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const verify = useMutation({ mutationFn: () => systemApi.verifyBackup(backup.id) });
  const name = backup.label ?? backup.id;
  return (
    <div className="actions">
      {can('backups:write') && <a href={systemApi.downloadUrl(backup.id)} download aria-label={t('system.downloadOf', { name })}>{t('system.download')}</a>}
      <button type="button" onClick={() => verify.mutate()} disabled={verify.isPending} aria-label={t('system.verifyOf', { name })}>{t('system.verify')}</button>
      {can('backups:restore') && <button type="button" onClick={onRestore} aria-label={t('system.restoreOf', { name })}>{t('system.restore')}</button>}
      {can('backups:write') && <DeleteBackup backup={backup} />}
      {verify.isSuccess && <span role="status">{t('system.verified')}</span>}
      {verify.isError && <ErrorNotice error={verify.error} />}
    </div>
  );
}
