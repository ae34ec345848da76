import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../i18n/format';
import { Sparkline } from '../../ui/Sparkline';
import { serversApi } from './api';

/** A list cell: the server's CPU % and RSS (MB) now, each beside its trend over the kept window. */
export function ResourceTrend({ id }: { id: string }) {
  const { t } = useTranslation();
  const metrics = useQuery({ queryKey: ['servers', id, 'metrics'], queryFn: () => serversApi.metrics(id), refetchInterval: 10_000 });
  const samples = metrics.data?.samples ?? [];
  if (samples.length === 0) return <span className="muted">—</span>;
  const cpu = samples.map((s) => s.cpu_percent);
  const rss = samples.map((s) => (s.rss_bytes == null ? null : s.rss_bytes / 1048576));
  const last = (v: (number | null)[]) => [...v].reverse().find((x) => x != null) ?? null;
  const cpuNow = last(cpu);
  const rssNow = last(rss);
  const cpuText = cpuNow == null ? '—' : `${formatNumber(cpuNow, 1)} %`;
  const rssText = rssNow == null ? '—' : `${formatNumber(rssNow)} MB`;
  return (
    <span className="trends">
      <span className="trend">
        <Sparkline values={cpu} label={t('servers.cpuTrend', { value: cpuText })} /> {cpuText}
      </span>
      <span className="trend">
        <Sparkline values={rss} label={t('servers.rssTrend', { value: rssText })} /> {rssText}
      </span>
    </span>
  );
}
