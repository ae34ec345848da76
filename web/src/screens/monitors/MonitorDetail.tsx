import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { formatTime } from '../../i18n/format';
import { DataTable } from '../../ui/DataTable';
import { LineChart } from '../../ui/LineChart';
import { ErrorNotice, QueryView } from '../../ui/States';
import { hourlyUptime, monitorsApi, percent } from './api';
import { UptimeBars } from './UptimeBars';

/** One monitor: uptime over four windows, latency chart (24 h), hourly uptime bars, state changes, maintenance. */
export function MonitorDetail({ id }: { id: string }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const qc = useQueryClient();
  const fid = useId();
  const status = useQuery({ queryKey: ['monitors', id], queryFn: () => monitorsApi.status(id), refetchInterval: 15_000 });
  const history = useQuery({ queryKey: ['monitors', id, 'history'], queryFn: () => monitorsApi.history(id), refetchInterval: 60_000 });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['monitors'] });
  const addWindow = useMutation({ mutationFn: (b: { duration_minutes: number; comment: string }) => monitorsApi.addWindow(id, b), onSuccess: refresh });
  const removeWindow = useMutation({ mutationFn: monitorsApi.removeWindow, onSuccess: refresh });
  const run = useMutation({ mutationFn: () => monitorsApi.run(id), onSuccess: refresh });

  const submitWindow = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    addWindow.mutate({ duration_minutes: Number(f.get('minutes')), comment: String(f.get('comment') ?? '') });
  };

  return (
    <QueryView query={status}>
      {(m) => (
        <section aria-labelledby={`${fid}-h`}>
          <h2 id={`${fid}-h`}>{m.name}</h2>
          <p>
            <span className={m.state === 'up' ? 'state-running' : m.state === 'down' ? 'state-failed' : ''}>{t(`monitors.state_${m.state}`)}</span>
            {m.state_since && <> {t('monitors.since', { at: formatTime(m.state_since) })}</>}
            {m.last_error && <> — {m.last_error}</>}
          </p>
          {can('monitors:run') && <button type="button" onClick={() => run.mutate()} disabled={run.isPending}>{t('monitors.runNow')}</button>}
          {run.error && <ErrorNotice error={run.error} />}
          <dl className="facts">
            {(['24h', '7d', '30d', '365d'] as const).map((w) => (
              <div key={w}><dt>{t('monitors.uptimeWindow', { window: w })}</dt><dd>{percent(m.uptime[w].uptime)}</dd></div>
            ))}
            <div><dt>{t('monitors.latency')}</dt><dd>p50 {m.uptime['24h'].latency_p50_ms ?? '–'} ms · p95 {m.uptime['24h'].latency_p95_ms ?? '–'} ms · p99 {m.uptime['24h'].latency_p99_ms ?? '–'} ms</dd></div>
          </dl>
          {history.data && (
            <>
              <h3>{t('monitors.uptimeBars')}</h3>
              <UptimeBars hours={hourlyUptime(history.data.points)} label={t('monitors.uptimeBars')} />
              <h3>{t('monitors.latencyChart')}</h3>
              <LineChart
                label={t('monitors.latencyChart')}
                times={history.data.points.map((p) => Date.parse(p.t) / 1000)}
                xRange={lastDay()}
                series={[{ label: t('monitors.latency'), values: history.data.points.map((p) => p.latency_avg_ms) }]}
              />
            </>
          )}
          <h3>{t('monitors.events')}</h3>
          {m.events.length === 0 ? <p className="muted">{t('monitors.noEvents')}</p> : (
            <DataTable
              caption={t('monitors.events')}
              rows={m.events}
              rowKey={(e) => e.at + e.to_state}
              columns={[
                { key: 'at', header: t('monitors.at'), cell: (e) => formatTime(e.at) },
                { key: 'change', header: t('monitors.change'), cell: (e) => `${t(`monitors.state_${e.from_state}`)} → ${t(`monitors.state_${e.to_state}`)}` },
                { key: 'reason', header: t('monitors.reason'), cell: (e) => `${e.reason ?? ''}${e.suppressed ? ` (${t('monitors.suppressed')})` : ''}` },
              ]}
            />
          )}
          <h3>{t('monitors.maintenance')}</h3>
          {m.maintenance.length === 0 ? <p className="muted">{t('monitors.noWindows')}</p> : (
            <DataTable
              caption={t('monitors.maintenance')}
              rows={m.maintenance}
              rowKey={(w) => w.id}
              columns={[
                { key: 'from', header: t('monitors.from'), cell: (w) => formatTime(w.starts_at) },
                { key: 'to', header: t('monitors.to'), cell: (w) => formatTime(w.ends_at) },
                { key: 'comment', header: t('monitors.comment'), cell: (w) => `${w.comment}${w.active ? ` (${t('monitors.active')})` : ''}` },
                { key: 'x', header: '', cell: (w) => can('monitors:write') ? <button type="button" onClick={() => removeWindow.mutate(w.id)}>{t('monitors.delete')}</button> : null },
              ]}
            />
          )}
          {can('monitors:write') && (
            <form onSubmit={submitWindow} className="filters">
              <div className="field"><label htmlFor={`${fid}-min`}>{t('monitors.minutes')}</label><input id={`${fid}-min`} name="minutes" type="number" min={1} defaultValue={60} required /></div>
              <div className="field"><label htmlFor={`${fid}-c`}>{t('monitors.comment')}</label><input id={`${fid}-c`} name="comment" required maxLength={2000} /></div>
              <button type="submit" disabled={addWindow.isPending}>{t('monitors.addWindow')}</button>
              {addWindow.error && <ErrorNotice error={addWindow.error} />}
            </form>
          )}
        </section>
      )}
    </QueryView>
  );
}

/** The chart's fixed window: the last 24 hours up to now, in Unix seconds. */
function lastDay(): [number, number] {
  const now = Date.now() / 1000;
  return [now - 24 * 3600, now];
}
