import { useQuery } from '@tanstack/react-query';
import { Fragment, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes, formatDuration, formatNumber, formatTime } from '../../i18n/format';
import { QueryView } from '../../ui/States';
import { type SystemInfo as Info, systemApi } from './api';

function Facts({ id, title, items }: { id: string; title: string; items: [string, ReactNode][] }) {
  return (
    <section className="card" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      <dl className="facts">
        {items.map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </Fragment>
        ))}
      </dl>
    </section>
  );
}

function redisText(r: Info['redis'], t: (k: string, o?: Record<string, unknown>) => string): string {
  if (!r.configured) return t('systemExtra.redisNone');
  if (r.reachable) return t('systemExtra.redisUp', { ms: formatNumber(r.latency_ms, 1) });
  return t('systemExtra.redisDown', { error: r.error ?? '—' });
}

/** What this platform is and runs on: version, uptime, database and its migration level, directories, runtime. */
export function SystemInfo() {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['system', 'info'], queryFn: systemApi.info, refetchInterval: 30_000 });
  return (
    <section aria-labelledby="sysinfo-heading">
      <h2 id="sysinfo-heading">{t('systemExtra.info')}</h2>
      <QueryView query={q}>
        {(i) => (
          <div className="cards sysinfo">
            <Facts
              id="sysinfo-platform"
              title={t('systemExtra.platform')}
              items={[
                [t('systemExtra.version'), <code key="v">{i.version}</code>],
                [t('systemExtra.uptime'), formatDuration(i.uptime_seconds * 1000)],
                [t('systemExtra.started'), formatTime(i.started_at)],
                [t('systemExtra.environment'), i.config.environment],
                [t('systemExtra.listen'), <code key="l">{`${i.config.host}:${i.config.port}${i.config.api_prefix}`}</code>],
                [t('systemExtra.instance'), <code key="i">{i.instance_id}</code>],
                [t('systemExtra.logLevel'), i.config.log_level],
              ]}
            />
            <Facts
              id="sysinfo-database"
              title={t('systemExtra.database')}
              items={[
                [t('systemExtra.dbKind'), i.database.kind === 'postgres' ? 'PostgreSQL' : 'SQLite'],
                [t('systemExtra.dbVersion'), i.database.version ?? '—'],
                [t('systemExtra.migration'), i.database.schema_version ? <code key="m">{i.database.schema_version}</code> : '—'],
                [t('systemExtra.dbSize'), formatBytes(i.database.size_bytes)],
                [t('systemExtra.dbUrl'), <code key="u">{i.database.url}</code>],
                [t('systemExtra.redis'), redisText(i.redis, t)],
              ]}
            />
            <Facts
              id="sysinfo-dirs"
              title={t('systemExtra.directories')}
              items={[
                [t('systemExtra.dataDir'), <code key="d">{i.config.data_dir}</code>],
                [t('systemExtra.logDir'), <code key="l">{i.config.log_dir}</code>],
                [t('systemExtra.backupDir'), <code key="b">{i.config.backup_dir}</code>],
                [t('systemExtra.diskFree'), i.disk ? t('systemExtra.diskOf', { free: formatBytes(i.disk.free_bytes), total: formatBytes(i.disk.total_bytes) }) : '—'],
              ]}
            />
            <Facts
              id="sysinfo-runtime"
              title={t('systemExtra.runtime')}
              items={[
                ['Node.js', <code key="n">{i.node.version}</code>],
                [t('systemExtra.os'), `${i.os.type} ${i.os.release} (${i.os.arch})`],
                [t('systemExtra.host'), i.os.hostname],
                [t('systemExtra.cpu'), `${i.cpu.model} × ${i.cpu.cores}`],
                [t('systemExtra.memory'), formatBytes(i.memory.total_bytes)],
                [t('systemExtra.pid'), String(i.pid)],
              ]}
            />
          </div>
        )}
      </QueryView>
    </section>
  );
}
