import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { DataTable } from '../../ui/DataTable';
import { ErrorNotice, QueryView } from '../../ui/States';
import { type Dashboard, dashboardsApi, fileUrl } from './api';
import { DashboardForm } from './DashboardForm';
import { Gallery } from './Gallery';

/** Capture now (operators; the image shown below) and delete (admins, asked once more). */
function DashboardActions({ dashboard }: { dashboard: Dashboard }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const queries = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const name = dashboard.name;
  const capture = useMutation({
    mutationFn: () => dashboardsApi.capture(dashboard.id, {}),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['screenshots'] }),
  });
  const remove = useMutation({
    mutationFn: () => dashboardsApi.remove(dashboard.id),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['dashboards'] }),
  });
  return (
    <div>
      <div className="actions">
        {can('dashboards:capture') && (
          <button type="button" onClick={() => capture.mutate()} disabled={capture.isPending} aria-label={t('dashboards.captureOf', { name })}>
            {capture.isPending ? t('dashboards.capturing') : t('dashboards.capture')}
          </button>
        )}
        {can('dashboards:manage') &&
          (confirming ? (
            <>
              <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>{t('dashboards.confirmDelete', { name })}</button>
              <button type="button" onClick={() => setConfirming(false)}>{t('dashboards.cancel')}</button>
            </>
          ) : (
            <button type="button" onClick={() => setConfirming(true)} aria-label={t('dashboards.deleteOf', { name })}>{t('dashboards.delete')}</button>
          ))}
      </div>
      {capture.isSuccess && (
        <figure role="status">
          <img src={fileUrl(capture.data)} alt={t('dashboards.shotAlt', { name })} style={{ maxWidth: '100%', height: 'auto' }} />
          <figcaption className="muted">{t('dashboards.captured', { ms: capture.data.ms, width: capture.data.width, height: capture.data.height })}</figcaption>
        </figure>
      )}
      {capture.isError && <ErrorNotice error={capture.error} />}
      {remove.isError && <ErrorNotice error={remove.error} />}
    </div>
  );
}

/** Saved dashboards (create, delete, capture with the image shown) and the screenshot gallery. */
export default function Dashboards() {
  const { t } = useTranslation();
  const { can } = useSession();
  const list = useQuery({ queryKey: ['dashboards'], queryFn: dashboardsApi.list });
  return (
    <>
      <h1>{t('dashboards.title')}</h1>
      <section aria-labelledby="dash-list">
        <h2 id="dash-list">{t('dashboards.list')}</h2>
        {can('dashboards:manage') && (
          <details className="card">
            <summary>{t('dashboards.create')}</summary>
            <DashboardForm />
          </details>
        )}
        <QueryView query={list} isEmpty={(d) => d.items.length === 0} empty={t('dashboards.none')}>
          {(d) => (
            <DataTable
              caption={t('dashboards.list')}
              rows={d.items}
              rowKey={(x) => x.id}
              columns={[
                { key: 'name', header: t('dashboards.name'), cell: (x) => <>{x.name}{x.description && <><br /><span className="muted">{x.description}</span></>}</> },
                { key: 'where', header: t('dashboards.where'), cell: (x) => <><code>{x.url}</code>{x.uid && <><br />uid <code>{x.uid}</code>{x.panel_id !== null && <> panel {x.panel_id}</>}</>}</> },
                { key: 'range', header: t('dashboards.range'), cell: (x) => <>{x.time_from} → {x.time_to}</> },
                { key: 'actions', header: t('dashboards.actions'), cell: (x) => <DashboardActions dashboard={x} /> },
              ]}
            />
          )}
        </QueryView>
      </section>
      <Gallery />
    </>
  );
}
