import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { formatTime } from '../../i18n/format';
import { DataTable } from '../../ui/DataTable';
import { ConfirmDialog } from '../../ui/Dialog';
import { QueryView } from '../../ui/States';
import { type GatewaySession, gatewayApi } from './api';

/** A session id is a bearer of the session: only its first characters are shown. */
const shortId = (s: GatewaySession) => s.id.slice(0, 8);

function EndSession({ session }: { session: GatewaySession }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [asking, setAsking] = useState(false);
  const end = useMutation({
    mutationFn: () => gatewayApi.endSession(session.id),
    onSuccess: () => {
      setAsking(false);
      return queries.invalidateQueries({ queryKey: ['gateway', 'sessions'] });
    },
  });
  const name = `${session.principal.name} ${shortId(session)}`;
  return (
    <>
      <button type="button" onClick={() => setAsking(true)} aria-label={t('gatewayExtra.endSessionOf', { name })}>{t('gatewayExtra.endSession')}</button>
      {asking && (
        <ConfirmDialog
          title={t('gatewayExtra.endSessionTitle', { name })}
          message={t('gatewayExtra.endSessionMessage')}
          confirmLabel={t('gatewayExtra.endSessionConfirm')}
          onConfirm={() => end.mutate()}
          onClose={() => {
            setAsking(false);
            end.reset();
          }}
          pending={end.isPending}
          error={end.error}
        />
      )}
    </>
  );
}

/** The gateway's open client sessions: who (key or user), which client, since when, last activity; admins end one. */
export function Sessions() {
  const { t } = useTranslation();
  const { can } = useSession();
  const q = useQuery({ queryKey: ['gateway', 'sessions'], queryFn: gatewayApi.sessions, refetchInterval: 5000 });
  return (
    <section aria-labelledby="gw-sessions">
      <h2 id="gw-sessions">{t('gatewayExtra.sessions')}</h2>
      <QueryView query={q} isEmpty={(s) => s.items.length === 0} empty={t('gatewayExtra.noSessions')}>
        {(s) => (
          <DataTable
            caption={t('gatewayExtra.sessions')}
            rows={s.items}
            rowKey={(x) => x.id}
            columns={[
              { key: 'who', header: t('gatewayExtra.who'), cell: (x) => <>{x.principal.name} <span className="muted">({t(`gatewayExtra.principal_${x.principal.type}`)})</span></> },
              { key: 'client', header: t('gatewayExtra.client'), cell: (x) => (x.client ? `${x.client.name} ${x.client.version}` : '—') },
              { key: 'transport', header: t('gatewayExtra.transport'), cell: (x) => <><code>{x.endpoint}</code> <span className="muted">{x.transport}</span></> },
              { key: 'id', header: t('gatewayExtra.session'), cell: (x) => <code>{shortId(x)}…</code> },
              { key: 'started', header: t('gatewayExtra.started'), cell: (x) => formatTime(x.created_at) },
              { key: 'seen', header: t('gatewayExtra.lastActivity'), cell: (x) => formatTime(x.last_seen_at) },
              ...(can('gateway:manage') ? [{ key: 'actions', header: t('gateway.actions'), cell: (x: GatewaySession) => <EndSession session={x} /> }] : []),
            ]}
          />
        )}
      </QueryView>
    </section>
  );
}
