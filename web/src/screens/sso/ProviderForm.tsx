import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId } from 'react';
import { useTranslation } from 'react-i18next';
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
  const id = useId();
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

  const field = (name: keyof SsoProvider, label: string, opts: { required?: boolean; hint?: string; placeholder?: string } = {}) => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>{label}{opts.required ? ' *' : ''}</label>
      <input
        id={`${id}-${name}`}
        name={name}
        required={opts.required}
        placeholder={opts.placeholder}
        defaultValue={provider ? String(provider[name] ?? '') : ''}
        aria-describedby={opts.hint ? `${id}-${name}-hint` : undefined}
      />
      {opts.hint && <span id={`${id}-${name}-hint`} className="hint muted">{opts.hint}</span>}
    </div>
  );

  return (
    <form onSubmit={submit} aria-label={provider ? t('sso.editOf', { name: provider.name }) : t('sso.create')}>
      {!provider && field('name', t('sso.name'), { required: true, hint: t('sso.nameHint') })}
      {field('display_name', t('sso.displayName'), { required: true, placeholder: 'Keycloak' })}
      {field('issuer', t('sso.issuer'), { required: true, placeholder: 'https://id.example.com/realms/acme' })}
      {field('client_id', t('sso.clientId'), { required: true })}
      {field('client_secret', t('sso.clientSecret'), { hint: t('sso.clientSecretHint'), placeholder: '${secret:SSO_CLIENT_SECRET}' })}
      {field('scopes', t('sso.scopes'), { placeholder: 'openid profile email' })}
      {field('username_claim', t('sso.usernameClaim'), { placeholder: 'preferred_username' })}
      {field('groups_claim', t('sso.groupsClaim'), { hint: t('sso.groupsClaimHint'), placeholder: 'groups' })}
      <div className="field">
        <label htmlFor={`${id}-role_map`}>{t('sso.roleMap')}</label>
        <textarea id={`${id}-role_map`} name="role_map" rows={3} defaultValue={provider ? roleMapText(provider.role_map) : ''} placeholder="platform-admins=admin" aria-describedby={`${id}-role_map-hint`} />
        <span id={`${id}-role_map-hint`} className="hint muted">{t('sso.roleMapHint')}</span>
      </div>
      <div className="field">
        <label htmlFor={`${id}-default_role`}>{t('sso.defaultRole')}</label>
        <select id={`${id}-default_role`} name="default_role" defaultValue={provider?.default_role ?? 'viewer'}>
          <option value="viewer">viewer</option>
          <option value="operator">operator</option>
          <option value="admin">admin</option>
        </select>
      </div>
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
