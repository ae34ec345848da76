import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { api } from '../../api/client';
import { useSession } from '../../api/session';
import type { Page } from '../../api/types';
import { formatBytes, formatDuration, formatNumber, formatTime } from '../../i18n/format';
import { LineChart } from '../../ui/LineChart';
import type { AlertList } from '../alerts/api';
import { QueryView } from '../../ui/States';

interface Status {
  uptime_seconds: number;
  cpu: { percent: number | null };
  memory: { total_bytes: number; available_bytes: number; used_percent: number };
  disk: { free_bytes: number | null; total_bytes: number } | null;
  event_loop: { lag_ms: number | null; lag_p99_ms: number | null };
  servers: { total: number; by_state: Record<string, number>; items: { id: string; name: string; state: string }[] };
}
interface Metrics { host: { time: string; cpu_percent: number | null }[] }
interface Backups { items: { id: string; created_at: string; size_bytes: number; kind: string }[] }
interface SystemLog { id: number; time: string; level: string; msg: string }

const LIVE = 5000;
/** The CPU chart's window: always the last 15 minutes, so a fresh start does not stretch 2 s across the axis. */
const CPU_WINDOW_S = 15 * 60;
const cpuWindow = (): [number, number] => {
  const now = Date.now() / 1000;
  return [now - CPU_WINDOW_S, now];
};

/** System status, servers up and down, last backup, recent errors; refreshed every few seconds. */
export default function Overview() {
  const { t } = useTranslation();
  const { can } = useSession();
  const status = useQuery({ queryKey: ['system', 'status'], queryFn: () => api<Status>('/system/status'), refetchInterval: LIVE });
  const metrics = useQuery({ queryKey: ['system', 'metrics'], queryFn: () => api<Metrics>(`/system/metrics?since=${encodeURIComponent(new Date(Date.now() - CPU_WINDOW_S * 1000).toISOString())}`), refetchInterval: LIVE });
  // The System screen's key: an upload, delete or new backup there refreshes this card too.
  const backups = useQuery({ queryKey: ['system', 'backups'], queryFn: () => api<Backups>('/system/backups'), enabled: can('backups:read') });
  const alerts = useQuery({
    queryKey: ['alerts', 'list', 'firing', 7],
    queryFn: () => api<AlertList>('/alerts?state=firing'),
    enabled: can('alerts:read'),
    refetchInterval: LIVE,
  });
  const errors = useQuery({
    queryKey: ['logs', 'system', 'errors'],
    queryFn: () => api<Page<SystemLog>>('/logs/system?level=error&limit=5'),
    enabled: can('logs:read'),
    refetchInterval: LIVE * 3,
  });

  return (
    <>
      <h1>{t('overview.title')}</h1>
      <div className="cards">
        <section className="card" aria-labelledby="ov-system">
          <h2 id="ov-system">{t('overview.system')}</h2>
          <QueryView query={status}>
            {(s) => (
              <dl className="facts">
                <dt>{t('overview.cpu')}</dt><dd>{formatNumber(s.cpu.percent, 1)} %</dd>
                <dt>{t('overview.memory')}</dt><dd>{formatNumber(s.memory.used_percent, 1)} % / {formatBytes(s.memory.total_bytes)}</dd>
                <dt>{t('overview.disk')}</dt><dd>{s.disk ? formatBytes(s.disk.free_bytes) : '—'}</dd>
                <dt>{t('overview.lag')}</dt><dd>{formatNumber(s.event_loop.lag_ms, 1)} ms</dd>
                <dt>{t('overview.uptime')}</dt><dd>{formatDuration(s.uptime_seconds * 1000)}</dd>
              </dl>
            )}
          </QueryView>
        </section>
        <section className="card" aria-labelledby="ov-servers">
          <h2 id="ov-servers">{t('overview.servers')}</h2>
          <QueryView query={status}>
            {(s) => {
              const running = s.servers.by_state['running'] ?? 0;
              return (
                <>
                  <p><span className="metric">{running}</span> {t('overview.running')} · <span className="metric">{s.servers.total - running}</span> {t('overview.down')}</p>
                  <ul>
                    {s.servers.items.filter((x) => x.state !== 'running').slice(0, 5).map((x) => (
                      <li key={x.id}><Link href={`/servers/${x.id}`}>{x.name}</Link> <span className={`state-${x.state}`}>{x.state}</span></li>
                    ))}
                  </ul>
                </>
              );
            }}
          </QueryView>
        </section>
        {can('alerts:read') && (
          <section className="card" aria-labelledby="ov-alerts">
            <h2 id="ov-alerts">{t('overview.firingAlerts')}</h2>
            <QueryView query={alerts}>
              {(a) => {
                const firing = a.groups.flatMap((g) => g.alerts);
                const bySeverity = new Map<string, number>();
                for (const x of firing) bySeverity.set(x.labels['severity'] ?? '—', (bySeverity.get(x.labels['severity'] ?? '—') ?? 0) + 1);
                return (
                  <>
                    <p><span className="metric">{a.total}</span>{a.total === 0 && <> {t('overview.noneFiring')}</>}</p>
                    {bySeverity.size > 0 && (
                      <dl className="facts">
                        {[...bySeverity].sort((x, y) => y[1] - x[1]).map(([sev, n]) => <div className="fact" key={sev}><dt>{sev}</dt><dd>{n}</dd></div>)}
                      </dl>
                    )}
                    <p><Link href="/alerts">{t('overview.allAlerts')}</Link></p>
                  </>
                );
              }}
            </QueryView>
          </section>
        )}
        {can('backups:read') && (
          <section className="card" aria-labelledby="ov-backup">
            <h2 id="ov-backup">{t('overview.lastBackup')}</h2>
            <QueryView query={backups} isEmpty={(b) => b.items.length === 0} empty={t('overview.noBackup')}>
              {(b) => <p>{formatTime(b.items[0]!.created_at)} · {formatBytes(b.items[0]!.size_bytes)} · {b.items[0]!.kind}</p>}
            </QueryView>
          </section>
        )}
      </div>
      <section className="card" aria-labelledby="ov-cpu" style={{ marginTop: '1rem' }}>
        <h2 id="ov-cpu">{t('overview.cpuChart')}</h2>
        <QueryView query={metrics} isEmpty={(m) => m.host.length === 0}>
          {(m) => (
            <LineChart
              label={t('overview.cpuChart')}
              times={m.host.map((h) => Date.parse(h.time) / 1000)}
              xRange={cpuWindow()}
              series={[{ label: 'CPU %', values: m.host.map((h) => h.cpu_percent) }]}
            />
          )}
        </QueryView>
      </section>
      {can('logs:read') && (
        <section aria-labelledby="ov-errors">
          <h2 id="ov-errors">{t('overview.recentErrors')}</h2>
          <QueryView query={errors} isEmpty={(p) => p.items.length === 0} empty={t('overview.noErrors')}>
            {(p) => (
              <ul>
                {p.items.map((e) => <li key={e.id}><time dateTime={e.time}>{formatTime(e.time)}</time> — {e.msg}</li>)}
              </ul>
            )}
          </QueryView>
        </section>
      )}
    </>
  );
}
