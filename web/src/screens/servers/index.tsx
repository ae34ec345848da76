import { useQueries, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { formatDuration } from '../../i18n/format';
import { DataTable } from '../../ui/DataTable';
import { QueryView } from '../../ui/States';
import { type Server, serversApi } from './api';
import { useSession } from '../../api/session';
import { CreateServer } from './CreateServer';
import { ImportServers } from './ImportServers';
import { ResourceTrend } from './ResourceTrend';
import { ServerActions } from './ServerActions';
import { StateText } from './StateText';

/** Every managed server with its state, uptime, restarts and CPU / memory trend; start, stop and restart. */
export default function ServersList() {
  const { t } = useTranslation();
  const { can } = useSession();
  const list = useQuery({ queryKey: ['servers', 'list'], queryFn: serversApi.list, refetchInterval: 5000 });
  const statuses = useQueries({
    queries: (list.data?.items ?? []).map((s) => ({ queryKey: ['servers', s.id, 'status'], queryFn: () => serversApi.status(s.id), refetchInterval: 5000 })),
  });
  const statusOf = (s: Server) => statuses[(list.data?.items ?? []).indexOf(s)]?.data;

  return (
    <>
      <h1>{t('servers.title')}</h1>
      {can('servers:write') && <CreateServer />}
      {can('servers:write') && <ImportServers />}
      <QueryView query={list} isEmpty={(p) => p.items.length === 0} empty={t('servers.empty')}>
        {(page) => (
          <DataTable
            caption={t('servers.title')}
            rows={page.items}
            rowKey={(s) => s.id}
            columns={[
              { key: 'name', header: t('servers.name'), cell: (s) => <Link href={`/servers/${s.id}`}>{s.name}</Link> },
              { key: 'transport', header: t('servers.transport'), cell: (s) => s.transport },
              { key: 'state', header: t('servers.state'), cell: (s) => <StateText state={statusOf(s)?.state} /> },
              { key: 'uptime', header: t('servers.uptime'), numeric: true, cell: (s) => formatDuration(statusOf(s)?.uptime_ms) },
              { key: 'restarts', header: t('servers.restarts'), numeric: true, cell: (s) => statusOf(s)?.restarts ?? '—' },
              { key: 'resources', header: t('servers.resources_'), cell: (s) => statusOf(s)?.state === 'running' ? <ResourceTrend id={s.id} /> : '—' },
              { key: 'actions', header: t('servers.actions'), cell: (s) => statusOf(s) && <ServerActions id={s.id} name={s.name} state={statusOf(s)!.state} /> },
            ]}
          />
        )}
      </QueryView>
    </>
  );
}
