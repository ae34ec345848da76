import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'wouter';
import { useSession } from '../../api/session';
import { formatTime } from '../../i18n/format';
import { DataTable } from '../../ui/DataTable';
import { ConfirmDialog } from '../../ui/Dialog';
import { Empty, QueryView } from '../../ui/States';
import { type BatchDetail, ITEM_STATUSES, type ItemStatus, jobsApi, LIVE, PAGE, resultSummary } from './api';
import { BatchProgress } from './BatchProgress';

function CancelBatch({ batch }: { batch: BatchDetail }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [asking, setAsking] = useState(false);
  const cancel = useMutation({
    mutationFn: () => jobsApi.cancel(batch.id),
    onSuccess: async () => { setAsking(false); await queries.invalidateQueries({ queryKey: ['jobs'] }); },
  });
  return (
    <>
      <button type="button" className="danger" onClick={() => setAsking(true)}>{t('jobs.cancel')}</button>
      {asking && (
        <ConfirmDialog
          title={t('jobs.cancelTitle')}
          message={t('jobs.cancelMessage', { id: batch.id, left: batch.progress.pending + batch.progress.running })}
          confirmLabel={t('jobs.cancelConfirm')}
          onConfirm={() => cancel.mutate()}
          onClose={() => { setAsking(false); cancel.reset(); }}
          pending={cancel.isPending}
          error={cancel.error}
        />
      )}
    </>
  );
}

function Items({ batch, offset, setOffset }: { batch: BatchDetail; offset: number; setOffset: (n: number) => void }) {
  const { t } = useTranslation();
  if (batch.items.length === 0 && offset === 0) return <Empty>{t('jobs.noItems')}</Empty>;
  return (
    <>
      <DataTable
        caption={t('jobs.items')}
        rows={batch.items}
        rowKey={(i) => i.seq}
        columns={[
          { key: 'seq', header: '#', label: '#', numeric: true, cell: (i) => i.seq },
          { key: 'input', header: t('jobs.input'), cell: (i) => <code className="example">{JSON.stringify(i.input).slice(0, 200)}</code> },
          { key: 'status', header: t('jobs.state'), cell: (i) => t(`jobs.item_${i.status}`) },
          { key: 'attempts', header: t('jobs.attempts'), numeric: true, cell: (i) => i.attempts },
          { key: 'result', header: t('jobs.result'), cell: (i) => (i.error ? <span className="state-error">{i.error}</span> : resultSummary(i.result)) },
          { key: 'finished', header: t('jobs.finishedAt'), cell: (i) => formatTime(i.finished_at) },
        ]}
      />
      <div className="actions">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>{t('jobs.previous')}</button>
        <button type="button" disabled={batch.items_left_out === 0} onClick={() => setOffset(offset + PAGE)}>{t('jobs.next')}</button>
        <span className="muted">{t('jobs.itemsShown', { from: batch.items.length ? offset + 1 : 0, to: offset + batch.items.length, left: batch.items_left_out })}</span>
      </div>
    </>
  );
}

/** One batch: its progress, its items (paged, filtered by status), Cancel for operators while it runs. */
export default function BatchPage() {
  const { t } = useTranslation();
  const { id } = useParams<{ id: string }>();
  const { can } = useSession();
  const fid = useId();
  const [offset, setOffset] = useState(0);
  const [status, setStatus] = useState<ItemStatus | ''>('');
  const q = useQuery({
    queryKey: ['jobs', 'batch', id, offset, status],
    queryFn: () => jobsApi.get(id, offset, status || undefined),
    refetchInterval: (query) => (query.state.data?.status === 'running' ? LIVE : false),
  });
  return (
    <>
      <p><Link href="/jobs">← {t('jobs.back')}</Link></p>
      <h1>{t('jobs.batchTitle', { id })}</h1>
      <QueryView query={q}>
        {(b) => (
          <>
            <dl className="facts">
              <dt>{t('jobs.operation')}</dt><dd>{b.operation}</dd>
              <dt>{t('jobs.params')}</dt><dd><code className="example">{JSON.stringify(b.params).slice(0, 500)}</code></dd>
              <dt>{t('jobs.state')}</dt><dd data-testid="batch-state">{t(`jobs.status_${b.status}`)}</dd>
              <dt>{t('jobs.progress')}</dt><dd><BatchProgress batch={b} /></dd>
              <dt>{t('jobs.createdBy')}</dt><dd>{b.created_by ?? ''}</dd>
              <dt>{t('jobs.createdAt')}</dt><dd>{formatTime(b.created_at)}</dd>
            </dl>
            {can('jobs:write') && b.status === 'running' && <CancelBatch batch={b} />}
            <h2>{t('jobs.items')}</h2>
            <div className="filters"><div className="field">
              <label htmlFor={fid}>{t('jobs.filterStatus')}</label>
              <select id={fid} value={status} onChange={(e) => { setStatus(e.target.value as ItemStatus | ''); setOffset(0); }}>
                <option value="">{t('jobs.allStatuses')}</option>
                {ITEM_STATUSES.map((s) => <option key={s} value={s}>{t(`jobs.item_${s}`)}</option>)}
              </select>
            </div></div>
            <Items batch={b} offset={offset} setOffset={setOffset} />
          </>
        )}
      </QueryView>
    </>
  );
}
