import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { DataTable } from '../../ui/DataTable';
import { QueryView } from '../../ui/States';
import { monitorsApi } from './api';

/** The platform's own checks (GET /system/health): database, Redis, servers, disk, backups. */
export function PlatformHealthView() {
  const { t } = useTranslation();
  const health = useQuery({ queryKey: ['monitors', 'platform'], queryFn: monitorsApi.health, refetchInterval: 30_000 });
  return (
    <section aria-labelledby="platform-health">
      <h2 id="platform-health">{t('monitors.platform')}</h2>
      <QueryView query={health} isEmpty={(h) => !h.checks?.length} empty={t('monitors.none')}>
        {(h) => (
          <>
            <p className={h.status === 'ok' ? 'state-running' : 'state-failed'}>{h.status === 'ok' ? t('monitors.healthy') : t('monitors.unhealthy')}</p>
            <DataTable
              caption={t('monitors.platform')}
              rows={h.checks ?? []}
              rowKey={(c) => c.name}
              columns={[
                { key: 'name', header: t('monitors.check'), cell: (c) => c.name },
                { key: 'status', header: t('monitors.state'), cell: (c) => <span className={c.status === 'ok' ? 'state-running' : 'state-failed'}>{t(`monitors.check_${c.status}`)}</span> },
                { key: 'detail', header: t('monitors.detail'), cell: (c) => c.detail },
              ]}
            />
          </>
        )}
      </QueryView>
    </section>
  );
}
