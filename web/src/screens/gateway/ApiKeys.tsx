import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../../i18n/format';
import { DataTable } from '../../ui/DataTable';
import { ErrorNotice, QueryView } from '../../ui/States';
import { type Allowlist, type ApiKey, type CreatedKey, gatewayApi, type NewKey } from './api';
import { CopyButton } from './CopyButton';
import { EditAllowlist } from './EditAllowlist';
import { patterns } from './patterns';

const ROLES = ['operator', 'admin', 'viewer'] as const;

function CreateKey({ onCreated }: { onCreated: (k: CreatedKey) => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const create = useMutation({
    mutationFn: gatewayApi.createKey,
    onSuccess: (k) => {
      onCreated(k);
      void queries.invalidateQueries({ queryKey: ['gateway', 'keys'] });
    },
  });
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const text = (name: string) => String(f.get(name) ?? '').trim();
    const body: NewKey = {
      name: text('name'),
      role: text('role') as NewKey['role'],
      allowed_servers: patterns(text('servers')),
      allowed_tools: patterns(text('tools')),
    };
    create.mutate(body, { onSuccess: () => form.reset() });
  }
  return (
    <details className="card">
      <summary>{t('gateway.createKey')}</summary>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="gw-key-name">{t('gateway.keyName')} *</label>
          <input id="gw-key-name" name="name" required maxLength={100} />
        </div>
        <div className="field">
          <label htmlFor="gw-key-role">{t('gateway.role')}</label>
          <select id="gw-key-role" name="role" defaultValue="operator">
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="gw-key-servers">{t('gateway.allowedServers')}</label>
          <textarea id="gw-key-servers" name="servers" rows={2} aria-describedby="gw-key-hint" />
        </div>
        <div className="field">
          <label htmlFor="gw-key-tools">{t('gateway.allowedTools')}</label>
          <textarea id="gw-key-tools" name="tools" rows={2} aria-describedby="gw-key-hint" />
          <span id="gw-key-hint" className="hint muted">{t('gateway.allowHint')}</span>
        </div>
        {create.isError && <ErrorNotice error={create.error} />}
        <button type="submit" className="primary" disabled={create.isPending}>{t('gateway.createSubmit')}</button>
      </form>
    </details>
  );
}

/** "Allowed servers: a, b; Allowed tools: all". */
function AllowText({ allowlist }: { allowlist: Allowlist | undefined }) {
  const { t } = useTranslation();
  if (!allowlist) return '—';
  const allow = (list: string[] | null) => (list ? list.join(', ') : t('gateway.all'));
  return `${t('gateway.allowedServers')}: ${allow(allowlist.allowed_servers)}; ${t('gateway.allowedTools')}: ${allow(allowlist.allowed_tools)}`;
}

/** The new key, shown this once with a copy button. */
function ShownOnce({ created }: { created: CreatedKey }) {
  const { t } = useTranslation();
  return (
    <div className="notice info" role="region" aria-label={t('gateway.newKey')}>
      <div>
        <p><strong>{t('gateway.keyCreated', { name: created.api_key.name })}</strong> {t('gateway.onlyOnce')}</p>
        <p><code data-testid="new-key">{created.key}</code> <CopyButton text={created.key} label={t('gateway.copyKey')} /></p>
        <p className="muted"><AllowText allowlist={created.allowlist} /></p>
      </div>
    </div>
  );
}

/** API keys for gateway clients: create with allowlists (the key shown once), list, revoke. */
export function ApiKeys({ created, onCreated }: { created: CreatedKey | null; onCreated: (k: CreatedKey) => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const keys = useQuery({ queryKey: ['gateway', 'keys'], queryFn: gatewayApi.keys });
  const live = (keys.data?.items ?? []).filter((k) => !k.revoked_at);
  const allowlists = useQueries({
    queries: live.map((k) => ({ queryKey: ['gateway', 'keys', k.id, 'allowlist'], queryFn: () => gatewayApi.allowlist(k.id) })),
  });
  const allowlistOf = (k: ApiKey) => allowlists[live.indexOf(k)]?.data;
  const revoke = useMutation({
    mutationFn: gatewayApi.revokeKey,
    onSuccess: () => queries.invalidateQueries({ queryKey: ['gateway', 'keys'] }),
  });
  return (
    <section aria-labelledby="gw-keys">
      <h2 id="gw-keys">{t('gateway.keys')}</h2>
      <CreateKey onCreated={onCreated} />
      {created && <ShownOnce created={created} />}
      {revoke.isError && <ErrorNotice error={revoke.error} />}
      <QueryView query={keys} isEmpty={(p) => p.items.length === 0} empty={t('gateway.noKeys')}>
        {(p) => (
          <DataTable
            caption={t('gateway.keys')}
            rows={p.items}
            rowKey={(k) => k.id}
            columns={[
              { key: 'name', header: t('gateway.keyName'), cell: (k) => k.name },
              { key: 'prefix', header: t('gateway.prefix'), cell: (k) => <code>{k.prefix}…</code> },
              { key: 'role', header: t('gateway.role'), cell: (k) => k.role },
              { key: 'allow', header: t('gateway.allowlist'), cell: (k) => (k.revoked_at ? '—' : <AllowText allowlist={allowlistOf(k)} />) },
              { key: 'created', header: t('gateway.created'), cell: (k) => formatTime(k.created_at) },
              { key: 'used', header: t('gateway.lastUsed'), cell: (k) => (formatTime(k.last_used_at)) },
              {
                key: 'actions',
                header: t('gateway.actions'),
                cell: (k) =>
                  k.revoked_at ? t('gateway.revoked') : (
                    <div className="actions">
                      <EditAllowlist apiKey={k} current={allowlistOf(k)} />
                      <button type="button" onClick={() => revoke.mutate(k.id)} disabled={revoke.isPending} aria-label={t('gateway.revokeKey', { name: k.name })}>
                        {t('gateway.revoke')}
                      </button>
                    </div>
                  ),
              },
            ]}
          />
        )}
      </QueryView>
    </section>
  );
}
