import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Field, TextField } from '../../ui/Field';
import { ErrorNotice } from '../../ui/States';
import { parseRoleMap, type ProviderFields, roleMapText, type SsoProvider, ssoApi } from './api';

function fieldsFrom(f: FormData): ProviderFields {
  const text = (name: string) => String(f.get(name) ?? '').trim();
  return {
    display_name: text('display_name'),
    issuer: text('issuer'),
    client_id: text('client_id'),
    client_secret: text('client_secret') || null,
    scopes: text('scopes') || 'openid profile email',
    username_claim: text('username_claim') || 'preferred_username',
    groups_claim: text('groups_claim') || null,
    role_map: parseRoleMap(String(f.get('role_map') ?? '')),
    default_role: text('default_role') as ProviderFields['default_role'],
    link_by_email: f.get('link_by_email') === 'on',
    enabled: f.get('enabled') === 'on',
  };
}

/** Add a provider, or edit one (`provider` given; its name stays: it is part of the redirect URI). */
export function ProviderForm({ provider, onDone }: { provider?: SsoProvider; onDone?: () => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const save = useMutation({
    mutationFn: ({ name, body }: { name: string; body: ProviderFields }) => (provider ? ssoApi.update(provider.name, body) : ssoApi.create({ name, ...body })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['sso'] }),
  });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    save.mutate({ name: String(f.get('name') ?? '').trim(), body: fieldsFrom(f) }, {
      onSuccess: () => {
        if (!provider) form.reset();
        onDone?.();
      },
    });
  }

  return (
    <form onSubmit={submit} aria-label={provider ? t('sso.editOf', { name: provider.name }) : t('sso.create')}>
      {!provider && <TextField name="name" label={t('sso.name')} required hint={t('sso.nameHint')} />}
      <TextField name="display_name" label={t('sso.displayName')} required placeholder="Keycloak" defaultValue={provider?.display_name} />
      <TextField name="issuer" label={t('sso.issuer')} required placeholder="https://id.example.com/realms/acme" defaultValue={provider?.issuer} />
      <TextField name="client_id" label={t('sso.clientId')} required defaultValue={provider?.client_id} />
      <TextField name="client_secret" label={t('sso.clientSecret')} hint={t('sso.clientSecretHint')} placeholder="${secret:SSO_CLIENT_SECRET}" defaultValue={provider?.client_secret} />
      <TextField name="scopes" label={t('sso.scopes')} placeholder="openid profile email" defaultValue={provider?.scopes} />
      <TextField name="username_claim" label={t('sso.usernameClaim')} placeholder="preferred_username" defaultValue={provider?.username_claim} />
      <TextField name="groups_claim" label={t('sso.groupsClaim')} hint={t('sso.groupsClaimHint')} placeholder="groups" defaultValue={provider?.groups_claim} />
      <Field label={t('sso.roleMap')} hint={t('sso.roleMapHint')}>
        {(control) => <textarea {...control} name="role_map" rows={3} defaultValue={provider ? roleMapText(provider.role_map) : ''} placeholder="platform-admins=admin" />}
      </Field>
      <Field label={t('sso.defaultRole')}>
        {(control) => (
          <select {...control} name="default_role" defaultValue={provider?.default_role ?? 'viewer'}>
            <option value="viewer">viewer</option>
            <option value="operator">operator</option>
            <option value="admin">admin</option>
          </select>
        )}
      </Field>
      <div className="field">
        <label className="check"><input type="checkbox" name="link_by_email" defaultChecked={provider?.link_by_email ?? false} /> {t('sso.linkByEmail')}</label>
      </div>
      <div className="field">
        <label className="check"><input type="checkbox" name="enabled" defaultChecked={provider?.enabled ?? true} /> {t('sso.enabled')}</label>
      </div>
      {save.isError && <ErrorNotice error={save.error} />}
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>{provider ? t('sso.save') : t('sso.createSubmit')}</button>
        {provider && onDone && <button type="button" onClick={onDone}>{t('sso.cancel')}</button>}
      </div>
    </form>
  );
}
