import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useState } from 'react';
import { Link } from 'wouter';
import { useSession } from '../../api/session';
import { formatTime } from '../../i18n/format';
import { DataTable } from '../../ui/DataTable';
import { QueryView } from '../../ui/States';
import { jobsApi, LIVE } from './api';
import { BatchProgress } from './BatchProgress';
import { StartBatch } from './StartBatch';

/** Batch jobs: the list (refreshed while one runs), start one (operators). */
export default function Jobs() {
  const { t } = useTranslation();
  const { can } = useSession();
  const [started, setStarted] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ['jobs', 'list'],
    queryFn: jobsApi.list,
    refetchInterval: (q) => (q.state.data?.items.some((b) => b.status === 'running') ? LIVE : false),
  });
  return (
    <>
      <h1>{t('jobs.title')}</h1>
      {can('jobs:write') && <StartBatch onStarted={setStarted} />}
      {started && <p role="status">{t('jobs.started', { id: started })} <Link href={`/jobs/${started}`}>{t('jobs.open')}</Link></p>}
      <h2>{t('jobs.batches')}</h2>
      <QueryView query={list} isEmpty={(l) => l.items.length === 0} empty={t('jobs.none')}>
        {(l) => (
          <DataTable
            caption={t('jobs.batches')}
            rows={l.items}
            rowKey={(b) => b.id}
            columns={[
              { key: 'id', header: t('jobs.batch'), cell: (b) => <Link href={`/jobs/${b.id}`}>{b.id}</Link> },
              { key: 'op', header: t('jobs.operation'), cell: (b) => b.operation },
              { key: 'state', header: t('jobs.state'), cell: (b) => t(`jobs.status_${b.status}`) },
              { key: 'progress', header: t('jobs.progress'), cell: (b) => <BatchProgress batch={b} /> },
              { key: 'by', header: t('jobs.createdBy'), cell: (b) => b.created_by ?? '' },
              { key: 'at', header: t('jobs.createdAt'), cell: (b) => formatTime(b.created_at) },
            ]}
          />
        )}
      </QueryView>
    </>
  );
}
