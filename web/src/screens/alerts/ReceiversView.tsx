import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { ConfirmDialog } from '../../ui/Dialog';
import { CopyButton } from '../../ui/CopyButton';
import { DataTable } from '../../ui/DataTable';
import { ErrorNotice, QueryView } from '../../ui/States';
import { alertsApi, type Receiver, type ReceiverKind } from './api';

const ref = (name: string) => `\${secret:${name}}`;

function CreateReceiver() {
  const { t } = useTranslation();
  const id = useId();
  const queries = useQueryClient();
  const secrets = useQuery({ queryKey: ['secrets', 'names'], queryFn: alertsApi.secrets });
  const names = (secrets.data?.items ?? []).map((s) => s.name);
  const create = useMutation({ mutationFn: alertsApi.createReceiver, onSuccess: () => queries.invalidateQueries({ queryKey: ['alerts', 'receivers'] }) });
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const text = (n: string) => String(f.get(n) ?? '').trim();
    create.mutate({
      name: text('name'),
      kind: text('kind') as ReceiverKind,
      ...(text('token') ? { token: ref(text('token')) } : {}),
      ...(text('hmac') ? { hmac_secret: ref(text('hmac')) } : {}),
      ...(text('description') ? { description: text('description') } : {}),
    }, { onSuccess: () => form.reset() });
  }
  const select = (name: string, label: string) => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <select id={`${id}-${name}`} name={name} defaultValue="" aria-describedby={`${id}-secret-hint`}>
        <option value="">{t('receivers.none')}</option>
        {names.map((n) => <option key={n} value={n}>{ref(n)}</option>)}
      </select>
    </div>
  );
  return (
    <details className="card">
      <summary>{t('receivers.create')}</summary>
      <form onSubmit={submit} aria-label={t('receivers.create')}>
        <div className="field">
          <label htmlFor={`${id}-name`}>{t('receivers.name')} *</label>
          <input id={`${id}-name`} name="name" required pattern="[a-z0-9][a-z0-9_\-]*" maxLength={100} aria-describedby={`${id}-name-hint`} />
          <span id={`${id}-name-hint`} className="hint muted">{t('receivers.nameHint')}</span>
        </div>
        <div className="field">
          <label htmlFor={`${id}-kind`}>{t('receivers.kind')} *</label>
          <select id={`${id}-kind`} name="kind" defaultValue="alertmanager">
            <option value="alertmanager">Alertmanager</option>
            <option value="grafana">Grafana</option>
            <option value="generic">{t('receivers.generic')}</option>
          </select>
        </div>
        {select('token', t('receivers.token'))}
        {select('hmac', t('receivers.hmac'))}
        <p id={`${id}-secret-hint`} className="hint muted">{t('receivers.secretHint')}</p>
        <div className="field">
          <label htmlFor={`${id}-description`}>{t('receivers.description')}</label>
          <input id={`${id}-description`} name="description" maxLength={1000} />
        </div>
        {create.error != null && <ErrorNotice error={create.error} />}
        {create.isSuccess && <p role="status">{t('receivers.created', { name: create.data.name })}</p>}
        <button type="submit" className="primary" disabled={create.isPending}>{t('receivers.save')}</button>
      </form>
    </details>
  );
}

/** Webhook receivers: where Alertmanager / Grafana / any sender posts, and how it proves itself. */
export function ReceiversView() {
  const { t } = useTranslation();
  const { can } = useSession();
  const queries = useQueryClient();
  const [deleting, setDeleting] = useState<Receiver | null>(null);
  const list = useQuery({ queryKey: ['alerts', 'receivers'], queryFn: alertsApi.receivers });
  const remove = useMutation({ mutationFn: alertsApi.deleteReceiver, onSuccess: () => { setDeleting(null); void queries.invalidateQueries({ queryKey: ['alerts', 'receivers'] }); } });
  const absolute = (url: string) => new URL(url, window.location.origin).href;
  return (
    <>
      {can('alerts:manage') && <CreateReceiver />}
      <QueryView query={list} isEmpty={(l) => l.items.length === 0} empty={t('receivers.empty')}>
        {(l) => (
          <DataTable
            caption={t('receivers.title')}
            rows={l.items}
            rowKey={(r) => r.id}
            columns={[
              { key: 'name', header: t('receivers.name'), cell: (r) => r.name },
              { key: 'kind', header: t('receivers.kind'), cell: (r) => r.kind },
              { key: 'auth', header: t('receivers.auth'), cell: (r) => [r.token && `${t('receivers.token')}: ${r.token}`, r.hmac_secret && `HMAC: ${r.hmac_secret}`].filter(Boolean).join('; ') || t('receivers.none') },
              { key: 'url', header: t('receivers.url'), cell: (r) => (
                <span className="actions"><code className="example">{absolute(r.url)}</code><CopyButton text={absolute(r.url)} label={t('receivers.copyUrl', { name: r.name })} /></span>
              ) },
              { key: 'enabled', header: t('receivers.enabled'), cell: (r) => (r.enabled ? t('receivers.yes') : t('receivers.no')) },
              { key: 'act', header: t('alerts.actions'), cell: (r) => can('alerts:manage')
                ? <button type="button" className="danger" onClick={() => setDeleting(r)} aria-label={t('receivers.deleteOne', { name: r.name })}>{t('receivers.delete')}</button>
                : null },
            ]}
          />
        )}
      </QueryView>
      {deleting && (
        <ConfirmDialog
          title={t('receivers.deleteTitle', { name: deleting.name })}
          message={t('receivers.deleteMessage')}
          confirmLabel={t('receivers.delete')}
          onConfirm={() => remove.mutate(deleting.id)}
          onClose={() => { setDeleting(null); remove.reset(); }}
          pending={remove.isPending}
          error={remove.error}
        />
      )}
    </>
  );
}
