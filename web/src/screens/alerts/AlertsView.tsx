import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber, formatTime } from '../../i18n/format';
import { DataTable } from '../../ui/DataTable';
import { MoreNotShown } from '../../ui/MoreNotShown';
import { QueryView } from '../../ui/States';
import { AlertDetail } from './AlertDetail';
import { type Alert, alertsApi, labelText } from './api';

export const LIVE = 5000;

/** What mutes an alert, in words (never colour alone). */
export function AlertState({ a }: { a: Alert }) {
  const { t } = useTranslation();
  const parts = [a.status === 'firing' ? t('alerts.firing') : t('alerts.resolved')];
  if (a.acked_at) parts.push(t('alerts.acked'));
  if (a.silenced_by.length) parts.push(t('alerts.silenced'));
  if (a.inhibited_by.length) parts.push(t('alerts.inhibited'));
  return <span className={a.status === 'firing' && parts.length === 1 ? 'state-error' : undefined}>{parts.join(' · ')}</span>;
}

/** Firing alerts by group (refetched every few seconds), or the resolved ones of the last days. */
export function AlertsView() {
  const { t } = useTranslation();
  const id = useId();
  const [state, setState] = useState<'firing' | 'resolved'>('firing');
  const [days, setDays] = useState(7);
  const [groupBy, setGroupBy] = useState('alertname');
  const [open, setOpen] = useState<Alert | null>(null);
  const by = groupBy.split(',').map((l) => l.trim()).filter((l) => /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(l)).join(',') || 'alertname';
  const list = useQuery({ queryKey: ['alerts', 'list', state, days, by], queryFn: () => alertsApi.list(state, days, by), refetchInterval: LIVE });
  return (
    <>
      <div className="filters">
        <div className="field">
          <label htmlFor={`${id}-state`}>{t('alerts.show')}</label>
          <select id={`${id}-state`} value={state} onChange={(e) => setState(e.target.value as 'firing' | 'resolved')}>
            <option value="firing">{t('alerts.showFiring')}</option>
            <option value="resolved">{t('alerts.showHistory')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-by`}>{t('alerts.groupBy')}</label>
          <input id={`${id}-by`} value={groupBy} onChange={(e) => setGroupBy(e.target.value)} placeholder="alertname, instance" />
        </div>
        {state === 'resolved' && (
          <div className="field">
            <label htmlFor={`${id}-days`}>{t('alerts.days')}</label>
            <input id={`${id}-days`} type="number" min={1} max={365} value={days} onChange={(e) => setDays(Math.min(365, Math.max(1, Number(e.target.value) || 1)))} />
          </div>
        )}
      </div>
      <QueryView query={list} isEmpty={(l) => l.groups.length === 0} empty={state === 'firing' ? t('alerts.noneFiring') : t('alerts.noHistory')}>
        {(l) => (
          <>
            {l.groups.map((g) => (
              <section key={g.key} className="alert-group" aria-label={t('alerts.group', { key: g.key })}>
                <h2>{g.key || t('alerts.ungrouped')} <span className="muted">({t('alerts.groupCounts', { firing: g.firing, resolved: g.resolved })})</span></h2>
                <DataTable
                  caption={t('alerts.group', { key: g.key })}
                  rows={g.alerts}
                  rowKey={(a) => a.id}
                  columns={[
                    { key: 'severity', header: t('alerts.severity'), cell: (a) => a.labels['severity'] ?? '—' },
                    { key: 'labels', header: t('alerts.labels'), cell: (a) => <code className="example">{labelText(a.labels)}</code> },
                    { key: 'since', header: t('alerts.since'), cell: (a) => <time dateTime={a.starts_at}>{formatTime(a.starts_at)}</time> },
                    { key: 'count', header: t('alerts.received'), numeric: true, cell: (a) => formatNumber(a.received_count) },
                    { key: 'state', header: t('alerts.state'), cell: (a) => <AlertState a={a} /> },
                    { key: 'open', header: t('alerts.actions'), cell: (a) => (
                      <button type="button" onClick={() => setOpen(a)} aria-label={t('alerts.openAlert', { name: a.labels['alertname'] ?? a.fingerprint, labels: labelText(a.labels) })}>{t('alerts.details')}</button>
                    ) },
                  ]}
                />
              </section>
            ))}
            <MoreNotShown count={l.left_out} />
          </>
        )}
      </QueryView>
      {open && <AlertDetail id={open.id} onClose={() => setOpen(null)} />}
    </>
  );
}
