import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'wouter';
import { useSession } from '../../api/session';
import { formatDuration } from '../../i18n/format';
import { Empty, QueryView } from '../../ui/States';
import { serversApi } from './api';
import { ServerActions } from './ServerActions';
import { EditServer } from './EditServer';
import { PublishServer } from './PublishServer';
import { ServerCharts } from './ServerCharts';
import { ServerLive } from './ServerLive';
import { StateText } from './StateText';
import { ToolTester } from './ToolTester';

/** One server: state and actions, its tools with the tester, metrics, live stderr and protocol log. */
export default function ServerPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const { id } = useParams<{ id: string }>();
  const server = useQuery({ queryKey: ['servers', id], queryFn: () => serversApi.get(id) });
  const status = useQuery({ queryKey: ['servers', id, 'status'], queryFn: () => serversApi.status(id), refetchInterval: 3000 });
  const running = status.data?.state === 'running';
  const caps = useQuery({ queryKey: ['servers', id, 'capabilities'], queryFn: () => serversApi.capabilities(id), enabled: running });

  return (
    <>
      <p><Link href="/servers">← {t('servers.back')}</Link></p>
      <QueryView query={server}>
        {(s) => (
          <>
            <h1>{s.name}</h1>
            {s.description && <p className="muted">{s.description}</p>}
            {can('servers:write') && <EditServer id={s.id} />}
            <QueryView query={status}>
              {(st) => (
                <dl className="facts">
                  <dt>{t('servers.state')}</dt><dd><StateText state={st.state} /></dd>
                  <dt>{t('servers.transport')}</dt><dd>{s.transport}</dd>
                  <dt>{t('servers.uptime')}</dt><dd>{formatDuration(st.uptime_ms)}</dd>
                  <dt>{t('servers.restarts')}</dt><dd>{st.restarts}</dd>
                  {st.last_error && <><dt>{t('servers.lastError')}</dt><dd>{st.last_error}</dd></>}
                  {can('servers:operate') && <><dt>{t('servers.actions')}</dt><dd><ServerActions id={s.id} name={s.name} state={st.state} /></dd></>}
                </dl>
              )}
            </QueryView>
          </>
        )}
      </QueryView>
      <h2>{t('servers.tools')}</h2>
      {!running ? (
        <Empty>{t('servers.notRunning')}</Empty>
      ) : (
        <QueryView query={caps} isEmpty={(c) => c.tools.length === 0} empty={t('servers.noTools')}>
          {(c) => (
            <>
              <ul>{c.tools.map((tool) => <li key={tool.name}><code>{tool.name}</code> {tool.description && <span className="muted">— {tool.description}</span>}</li>)}</ul>
              {can('servers:operate') && <ToolTester serverId={id} tools={c.tools} />}
              {c.resources.length > 0 && (
                <>
                  <h2>{t('servers.resources')}</h2>
                  <ul>{c.resources.map((r) => <li key={r.uri}><code>{r.uri}</code> {r.name && <span className="muted">— {r.name}</span>}</li>)}</ul>
                </>
              )}
              {c.prompts.length > 0 && (
                <>
                  <h2>{t('servers.prompts')}</h2>
                  <ul>{c.prompts.map((p) => <li key={p.name}><code>{p.name}</code> {p.description && <span className="muted">— {p.description}</span>}</li>)}</ul>
                </>
              )}
            </>
          )}
        </QueryView>
      )}
      {can('publications:read') && <PublishServer id={id} name={server.data?.name ?? id} />}
      <h2>{t('servers.metrics')}</h2>
      <ServerCharts id={id} />
      {server.data && <ServerLive id={id} name={server.data.name} />}
    </>
  );
}
