import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSecretNames } from '../../api/secret-names';
import { ErrorNotice } from '../../ui/States';
import { dashboardsApi } from './api';

/** Save a dashboard: a page URL, or a Grafana base URL and uid with a token chosen as `${secret:NAME}`. */
export function DashboardForm() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [kind, setKind] = useState<'url' | 'grafana'>('grafana');
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [uid, setUid] = useState('');
  const [token, setToken] = useState('');
  const [from, setFrom] = useState('now-1h');
  const secrets = useSecretNames();
  const create = useMutation({
    mutationFn: () =>
      dashboardsApi.create({ name, kind, url, time_from: from, ...(kind === 'grafana' ? { uid, token: token ? `\${secret:${token}}` : null } : {}) }),
    onSuccess: () => {
      setName('');
      setUrl('');
      setUid('');
      void queries.invalidateQueries({ queryKey: ['dashboards'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit} aria-label={t('dashboards.create')}>
      <div className="field"><label htmlFor="dash-name">{t('dashboards.name')}</label>
      <input id="dash-name" value={name} onChange={(e) => setName(e.target.value)} required pattern="[a-z0-9][a-z0-9_\-]{0,62}" /></div>
      <div className="field"><label htmlFor="dash-kind">{t('dashboards.kind')}</label>
      <select id="dash-kind" value={kind} onChange={(e) => setKind(e.target.value as 'url' | 'grafana')}>
        <option value="grafana">{t('dashboards.kindGrafana')}</option>
        <option value="url">{t('dashboards.kindUrl')}</option>
      </select></div>
      <div className="field"><label htmlFor="dash-url">{kind === 'grafana' ? t('dashboards.grafanaUrl') : t('dashboards.pageUrl')}</label>
      <input id="dash-url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} required /></div>
      {kind === 'grafana' && (
        <>
          <div className="field"><label htmlFor="dash-uid">{t('dashboards.uid')}</label>
          <input id="dash-uid" value={uid} onChange={(e) => setUid(e.target.value)} required /></div>
          <div className="field"><label htmlFor="dash-token">{t('dashboards.tokenSecret')}</label>
          <select id="dash-token" value={token} onChange={(e) => setToken(e.target.value)}>
            <option value="">{t('dashboards.noToken')}</option>
            {(secrets.data ?? []).map((n) => <option key={n} value={n}>{`\${secret:${n}}`}</option>)}
          </select></div>
        </>
      )}
      <div className="field"><label htmlFor="dash-from">{t('dashboards.from')}</label>
      <input id="dash-from" value={from} onChange={(e) => setFrom(e.target.value)} required /></div>
      <div className="actions">
        <button type="submit" className="primary" disabled={create.isPending}>{t('dashboards.save')}</button>
      </div>
      {create.isError && <ErrorNotice error={create.error} />}
    </form>
  );
}
