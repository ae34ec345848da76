import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes, formatNumber, formatTime } from '../../i18n/format';
import { BarChart } from '../../ui/BarChart';
import { DataTable } from '../../ui/DataTable';
import { MoreNotShown } from '../../ui/MoreNotShown';
import { QueryView } from '../../ui/States';
import { type Analysis, analyzerApi, type Inputs, LEVELS } from './api';
import { Notes, Sources } from './Sources';

function Histogram({ histogram }: { histogram: Analysis['histogram'] }) {
  const { t } = useTranslation();
  const times = useMemo(() => histogram.buckets.map((b) => Date.parse(b.start) / 1000), [histogram]);
  const values = useMemo(() => histogram.buckets.map((b) => b.count), [histogram]);
  const peak = histogram.buckets.reduce((m, b) => (b.count > (m?.count ?? -1) ? b : m), histogram.buckets[0]);
  return (
    <figure className="card">
      <figcaption>{t('analysis.histogram')}</figcaption>
      <BarChart label={t('analysis.histogramLabel', { n: histogram.buckets.length, seconds: histogram.bucket_seconds })} seriesLabel={t('analysis.entries')} times={times} values={values} />
      <p className="muted">
        {t('analysis.bucketSize', { seconds: formatNumber(histogram.bucket_seconds) })}
        {peak && ` ${t('analysis.peak', { time: formatTime(peak.start), n: formatNumber(peak.count) })}`}
      </p>
    </figure>
  );
}

function Levels({ levels }: { levels: Record<string, number> }) {
  const { t } = useTranslation();
  // Known levels in severity order, then anything else (entries without a level: `none`).
  const rank = (l: string) => {
    const i = LEVELS.indexOf(l as (typeof LEVELS)[number]);
    return i < 0 ? LEVELS.length : i;
  };
  const rows = Object.entries(levels).sort(([a], [b]) => rank(a) - rank(b));
  return (
    <section className="card" aria-labelledby="an-levels">
      <h2 id="an-levels">{t('analysis.levels')}</h2>
      <DataTable caption={t('analysis.levels')} rows={rows} rowKey={([l]) => l} columns={[
        { key: 'level', header: t('analysis.level'), cell: ([l]) => <span className={`level-${l}`}>{l}</span> },
        { key: 'count', header: t('analysis.count'), numeric: true, cell: ([, n]) => formatNumber(n) },
      ]} />
    </section>
  );
}

function Access({ access }: { access: NonNullable<Analysis['access']> }) {
  const { t } = useTranslation();
  const classes = Object.entries(access.status_classes).sort();
  const latency = Object.entries(access.latency_ms ?? {}).filter(([k]) => k !== 'samples');
  return (
    <section className="card" aria-labelledby="an-access">
      <h2 id="an-access">{t('analysis.access', { n: formatNumber(access.requests) })}</h2>
      <dl className="facts">
        {classes.map(([c, n]) => <div key={c} className="fact"><dt>{c}</dt><dd>{formatNumber(n)}</dd></div>)}
        {latency.map(([p, ms]) => <div key={p} className="fact"><dt>{t('analysis.latency', { p })}</dt><dd>{formatNumber(ms, 1)} ms</dd></div>)}
      </dl>
    </section>
  );
}

function TopErrors({ top }: { top: Analysis['top_errors'] }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="an-errors">
      <h2 id="an-errors">{t('analysis.topErrors', { n: formatNumber(top.groups) })}</h2>
      {top.items.length === 0 ? <p className="muted">{t('analysis.noErrors')}</p> : (
        <DataTable caption={t('analysis.topErrors', { n: top.groups })} rows={top.items} rowKey={(e) => e.pattern} columns={[
          { key: 'count', header: t('analysis.count'), numeric: true, cell: (e) => formatNumber(e.count) },
          { key: 'level', header: t('analysis.level'), cell: (e) => e.level },
          { key: 'pattern', header: t('analysis.pattern'), cell: (e) => <><code>{e.pattern}</code><br /><span className="muted">{e.example}</span></> },
          { key: 'seen', header: t('analysis.seen'), cell: (e) => `${formatTime(e.first_seen)} – ${formatTime(e.last_seen)}` },
        ]} />
      )}
      <MoreNotShown count={top.omitted} />
    </section>
  );
}

/** Entries, bytes, time range; the histogram; counts per level; access-log statuses and latencies; top errors. */
export function Summary({ inputs }: { inputs: Inputs }) {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['analysis', 'analyze', inputs], queryFn: () => analyzerApi.analyze(inputs), retry: false });
  return (
    <QueryView query={q} isEmpty={(d) => d.entries === 0} empty={t('analysis.noEntries')}>
      {(d) => (
        <>
          <dl className="facts card summary-facts">
            <dt>{t('analysis.entries')}</dt><dd>{formatNumber(d.entries)}{d.matched !== d.entries && ` (${t('analysis.matched', { n: formatNumber(d.matched) })})`}</dd>
            <dt>{t('analysis.bytes')}</dt><dd>{formatBytes(d.bytes)}</dd>
            <dt>{t('analysis.timeRange')}</dt><dd>{d.time_range ? `${formatTime(d.time_range.from)} – ${formatTime(d.time_range.to)}` : '—'}</dd>
          </dl>
          <Histogram histogram={d.histogram} />
          <div className="cards">
            <Levels levels={d.levels} />
            {d.access && <Access access={d.access} />}
          </div>
          <TopErrors top={d.top_errors} />
          <Sources sources={d.sources} />
          <Notes notes={d.notes} />
        </>
      )}
    </QueryView>
  );
}
