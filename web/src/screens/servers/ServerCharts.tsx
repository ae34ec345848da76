import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../i18n/format';
import { LineChart } from '../../ui/LineChart';
import { QueryView } from '../../ui/States';
import { serversApi } from './api';

/** CPU % and RSS of one server over the kept window, with its call and error totals. */
export function ServerCharts({ id }: { id: string }) {
  const { t } = useTranslation();
  const metrics = useQuery({ queryKey: ['servers', id, 'metrics'], queryFn: () => serversApi.metrics(id), refetchInterval: 10_000 });
  return (
    <QueryView query={metrics} isEmpty={(m) => m.samples.length === 0}>
      {(m) => {
        const times = m.samples.map((s) => Date.parse(s.time) / 1000);
        return (
          <>
            <p>{t('servers.calls', { calls: formatNumber(m.totals.calls), errors: formatNumber(m.totals.errors) })}</p>
            <div className="cards">
              <figure className="card">
                <figcaption>{t('servers.cpu')}</figcaption>
                <LineChart label={t('servers.cpu')} times={times} series={[{ label: 'CPU %', values: m.samples.map((s) => s.cpu_percent) }]} height={100} />
              </figure>
              <figure className="card">
                <figcaption>{t('servers.rss')}</figcaption>
                <LineChart
                  label={t('servers.rss')}
                  times={times}
                  series={[{ label: 'RSS MB', values: m.samples.map((s) => (s.rss_bytes == null ? null : s.rss_bytes / 1048576)) }]}
                  height={100}
                />
              </figure>
            </div>
          </>
        );
      }}
    </QueryView>
  );
}
