import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { formatNumber } from '../../i18n/format';
import { ErrorNotice, QueryView } from '../../ui/States';
import { dashboardsApi, fileUrl, type Screenshot } from './api';

function Shot({ shot }: { shot: Screenshot }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const queries = useQueryClient();
  const remove = useMutation({
    mutationFn: () => dashboardsApi.removeShot(shot.id),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['screenshots'] }),
  });
  const title = `${shot.dashboard_name ?? shot.url} ${new Date(shot.created_at).toLocaleString()}`;
  return (
    <li className="card">
      <figure>
        {shot.format === 'png' ? <img src={fileUrl(shot)} alt={t('dashboards.shotAlt', { name: title })} loading="lazy" style={{ maxWidth: '100%', height: 'auto' }} /> : <p>PDF</p>}
        <figcaption>
          {title}
          <br />
          <span className="muted">
            {shot.width}×{shot.height}, {formatNumber(shot.bytes)} B{shot.time_from ? `, ${shot.time_from} → ${shot.time_to}` : ''}
          </span>
        </figcaption>
      </figure>
      <div className="actions">
        <a href={fileUrl(shot, true)} download aria-label={t('dashboards.downloadOf', { name: title })}>{t('dashboards.download')}</a>
        {can('dashboards:capture') && (
          <button type="button" onClick={() => remove.mutate()} disabled={remove.isPending} aria-label={t('dashboards.deleteShotOf', { name: title })}>
            {t('dashboards.delete')}
          </button>
        )}
      </div>
      {remove.isError && <ErrorNotice error={remove.error} />}
    </li>
  );
}

/** The screenshots kept, newest first: view, download, delete. */
export function Gallery() {
  const { t } = useTranslation();
  const list = useQuery({ queryKey: ['screenshots'], queryFn: dashboardsApi.screenshots });
  return (
    <section aria-labelledby="dash-gallery">
      <h2 id="dash-gallery">{t('dashboards.gallery')}</h2>
      <QueryView query={list} isEmpty={(d) => d.items.length === 0} empty={t('dashboards.noShots')}>
        {(d) => (
          <ul className="gallery" style={{ listStyle: 'none', padding: 0, display: 'grid', gap: '1rem', gridTemplateColumns: 'repeat(auto-fill, minmax(min(20rem, 100%), 1fr))' }}>
            {d.items.map((s) => <Shot key={s.id} shot={s} />)}
          </ul>
        )}
      </QueryView>
    </section>
  );
}
