import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { formatTime } from '../../i18n/format';
import { ConfirmDialog } from '../../ui/Dialog';
import { DataTable } from '../../ui/DataTable';
import { QueryView } from '../../ui/States';
import { type Monitor, monitorsApi, percent } from './api';
import { CreateMonitor } from './CreateMonitor';
import { MonitorDetail } from './MonitorDetail';
import { PlatformHealthView } from './PlatformHealthView';

/** Monitors: the platform's own health, every monitor with its state and 24 h uptime, one in detail; admins create and delete. */
export default function Monitors() {
  const { t } = useTranslation();
  const { can } = useSession();
  const qc = useQueryClient();
  const [selected, setSelected] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Monitor | null>(null);
  const list = useQuery({ queryKey: ['monitors', 'list'], queryFn: monitorsApi.list, refetchInterval: 15_000 });
  const remove = useMutation({
    mutationFn: (m: Monitor) => monitorsApi.remove(m.id),
    onSuccess: () => {
      setDeleting(null);
      setSelected(null);
      void qc.invalidateQueries({ queryKey: ['monitors'] });
    },
  });
  return (
    <>
      <h1>{t('monitors.title')}</h1>
      <PlatformHealthView />
      <h2>{t('monitors.list')}</h2>
      <QueryView query={list} isEmpty={(l) => l.items.length === 0} empty={t('monitors.none')}>
        {(l) => (
          <DataTable
            caption={t('monitors.list')}
            rows={l.items}
            rowKey={(m) => m.id}
            columns={[
              { key: 'name', header: t('monitors.name'), cell: (m) => <button type="button" className="link" onClick={() => setSelected(m.id)}>{m.name}</button> },
              { key: 'state', header: t('monitors.state'), cell: (m) => <span className={m.state === 'up' ? 'state-running' : m.state === 'down' ? 'state-failed' : ''}>{t(`monitors.state_${m.state}`)}{m.in_maintenance ? ` (${t('monitors.inMaintenance')})` : ''}</span> },
              { key: 'kind', header: t('monitors.kind'), cell: (m) => `${m.kind} ${m.check.target}` },
              { key: 'uptime', header: t('monitors.uptime24h'), cell: (m) => percent(m.uptime_24h) },
              { key: 'last', header: t('monitors.lastCheck'), cell: (m) => (m.last_checked_at ? `${formatTime(m.last_checked_at)}${m.last_latency_ms !== null ? `, ${m.last_latency_ms} ms` : ''}` : '–') },
              { key: 'x', header: '', cell: (m) => (can('monitors:write') ? <button type="button" onClick={() => setDeleting(m)} aria-label={t('monitors.deleteNamed', { name: m.name })}>{t('monitors.delete')}</button> : null) },
            ]}
          />
        )}
      </QueryView>
      {selected && <MonitorDetail id={selected} />}
      {can('monitors:write') && <CreateMonitor />}
      {deleting && (
        <ConfirmDialog
          title={t('monitors.deleteTitle')}
          message={t('monitors.deleteConfirm', { name: deleting.name })}
          confirmLabel={t('monitors.delete')}
          onConfirm={() => remove.mutate(deleting)}
          onClose={() => setDeleting(null)}
          pending={remove.isPending}
          error={remove.error}
        />
      )}
    </>
  );
}
