import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DataTable } from '../../ui/DataTable';
import { ErrorNotice, QueryView } from '../../ui/States';
import { type SsoProvider, ssoApi } from './api';
import { ProviderForm } from './ProviderForm';

function ProviderActions({ provider, onEdit }: { provider: SsoProvider; onEdit: () => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({ mutationFn: () => ssoApi.remove(provider.name), onSuccess: () => queries.invalidateQueries({ queryKey: ['sso'] }) });
  const name = provider.name;
  return (
    <div>
      <div className="actions sso-row-actions">
        <button type="button" onClick={onEdit} aria-label={t('sso.editOf', { name })}>{t('sso.edit')}</button>
        {confirming ? (
          <>
            <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>{t('sso.confirmDelete', { name })}</button>
            <button type="button" onClick={() => setConfirming(false)}>{t('sso.cancel')}</button>
          </>
        ) : (
          <button type="button" onClick={() => setConfirming(true)} aria-label={t('sso.deleteOf', { name })}>{t('sso.delete')}</button>
        )}
      </div>
      {remove.isError && <ErrorNotice error={remove.error} />}
    </div>
  );
}

/** Single sign-on (admins): the OpenID Connect providers people sign in with, and how their groups map to roles. */
export default function SingleSignOn() {
  const { t } = useTranslation();
  const list = useQuery({ queryKey: ['sso', 'providers'], queryFn: ssoApi.list });
  const [editing, setEditing] = useState<SsoProvider | null>(null);
  return (
    <>
      <h1>{t('sso.title')}</h1>
      <p className="muted">{t('sso.intro')}</p>
      <details className="card">
        <summary>{t('sso.create')}</summary>
        <ProviderForm />
      </details>
      {editing && (
        <div className="card edit-card">
          <h2>{t('sso.editOf', { name: editing.name })}</h2>
          <ProviderForm key={editing.id} provider={editing} onDone={() => setEditing(null)} />
        </div>
      )}
      <QueryView query={list} isEmpty={(d) => d.items.length === 0} empty={t('sso.none')}>
        {(d) => (
          <DataTable
            caption={t('sso.providers')}
            rows={d.items}
            rowKey={(p) => p.id}
            columns={[
              { key: 'name', header: t('sso.name'), cell: (p) => <>{p.display_name} <code>{p.name}</code>{!p.enabled && <> <span className="muted">({t('sso.disabled')})</span></>}</> },
              { key: 'issuer', header: t('sso.issuer'), cell: (p) => <><code>{p.issuer}</code><br /><span className="muted">{t('sso.clientId')}: </span><code>{p.client_id}</code></> },
              { key: 'redirect', header: t('sso.redirectUri'), cell: (p) => <code className="sso-redirect">{p.redirect_uri}</code> },
              { key: 'roles', header: t('sso.roles'), cell: (p) => <>{Object.entries(p.role_map).map(([k, v]) => <div key={k} className="sso-role"><code>{k}</code> → {v}</div>)}<span className="muted">{t('sso.otherwise', { role: p.default_role })}</span></> },
              { key: 'actions', header: t('sso.actions'), cell: (p) => <ProviderActions provider={p} onEdit={() => setEditing(p)} /> },
            ]}
          />
        )}
      </QueryView>
    </>
  );
}
