import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../../ui/States';
import { type Profile, type ProfileFields, type Provider, refName, secretRef, storageApi } from './api';

/** A select of stored secrets: the profile keeps `${secret:NAME}`, never a key in clear. */
function SecretSelect({ id, name, label, current, names }: { id: string; name: string; label: string; current: string | undefined; names: string[] }) {
  const { t } = useTranslation();
  const chosen = current ? refName(current) : null;
  const options = chosen && !names.includes(chosen) ? [chosen, ...names] : names;
  return (
    <div className="field">
      <label htmlFor={id}>{label} *</label>
      <select id={id} name={name} required defaultValue={chosen ?? ''} aria-describedby={`${id}-hint`}>
        <option value="" disabled>{t('storage.chooseSecret')}</option>
        {options.map((n) => <option key={n} value={n}>{secretRef(n)}</option>)}
      </select>
      <span id={`${id}-hint`} className="hint muted">{t('storage.secretHint')}</span>
    </div>
  );
}

function fieldsFrom(f: FormData): ProfileFields {
  const text = (name: string) => String(f.get(name) ?? '').trim();
  const provider = text('provider') as Provider;
  return {
    provider,
    region: text('region'),
    bucket: text('bucket'),
    endpoint: provider === 's3' && text('endpoint') ? text('endpoint') : null,
    path_style: provider === 's3' && f.get('path_style') === 'on',
    access_key_id: secretRef(text('access_key_id')),
    secret_access_key: secretRef(text('secret_access_key')),
    prefix: text('prefix'),
    date_pattern: text('date_pattern') || null,
    description: text('description') || null,
  };
}

/** Create a profile, or edit one (`profile` given; its name stays). Admins only (storage:manage). */
export function ProfileForm({ profile, onDone }: { profile?: Profile; onDone?: () => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const id = useId();
  const [provider, setProvider] = useState<Provider>(profile?.provider ?? 's3');
  const secrets = useQuery({ queryKey: ['secrets', 'names'], queryFn: storageApi.secrets });
  const names = (secrets.data?.items ?? []).map((s) => s.name);
  const save = useMutation({
    mutationFn: ({ name, body }: { name: string; body: ProfileFields }) => (profile ? storageApi.update(profile.id, body) : storageApi.create({ name, ...body })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['storage', 'profiles'] }),
  });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    save.mutate({ name: String(f.get('name') ?? '').trim(), body: fieldsFrom(f) }, {
      onSuccess: () => {
        if (!profile) form.reset();
        onDone?.();
      },
    });
  }

  const field = (name: keyof Profile | 'name', label: string, opts: { required?: boolean; hint?: string; placeholder?: string } = {}) => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>{label}{opts.required ? ' *' : ''}</label>
      <input
        id={`${id}-${name}`}
        name={name}
        required={opts.required}
        placeholder={opts.placeholder}
        defaultValue={profile ? String(profile[name as keyof Profile] ?? '') : ''}
        aria-describedby={opts.hint ? `${id}-${name}-hint` : undefined}
      />
      {opts.hint && <span id={`${id}-${name}-hint`} className="hint muted">{opts.hint}</span>}
    </div>
  );

  return (
    <form onSubmit={submit} aria-label={profile ? t('storage.editOf', { name: profile.name }) : t('storage.create')}>
      {!profile && field('name', t('storage.name'), { required: true, hint: t('storage.nameHint') })}
      <div className="field">
        <label htmlFor={`${id}-provider`}>{t('storage.provider')}</label>
        <select id={`${id}-provider`} name="provider" value={provider} onChange={(e) => setProvider(e.target.value as Provider)}>
          <option value="s3">{t('storage.providerS3')}</option>
          <option value="cos">{t('storage.providerCos')}</option>
        </select>
      </div>
      {field('region', t('storage.region'), { required: true, placeholder: provider === 'cos' ? 'ap-guangzhou' : 'us-east-1' })}
      {field('bucket', t('storage.bucket'), { required: true, hint: provider === 'cos' ? t('storage.bucketCosHint') : undefined })}
      {provider === 's3' && (
        <>
          {field('endpoint', t('storage.endpoint'), { hint: t('storage.endpointHint') })}
          <div className="field">
            <label className="check">
              <input type="checkbox" name="path_style" defaultChecked={profile?.path_style ?? false} /> {t('storage.pathStyle')}
            </label>
          </div>
        </>
      )}
      {secrets.isError && <ErrorNotice error={secrets.error} />}
      {secrets.isSuccess && names.length === 0 && <p className="notice info">{t('storage.noSecrets')}</p>}
      <SecretSelect id={`${id}-akid`} name="access_key_id" label={t('storage.accessKeyId')} current={profile?.access_key_id} names={names} />
      <SecretSelect id={`${id}-sak`} name="secret_access_key" label={t('storage.secretAccessKey')} current={profile?.secret_access_key} names={names} />
      {field('prefix', t('storage.prefix'), { hint: t('storage.prefixHint') })}
      {field('date_pattern', t('storage.datePattern'), { hint: t('storage.datePatternHint') })}
      {field('description', t('storage.description'))}
      {save.isError && <ErrorNotice error={save.error} />}
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>{profile ? t('storage.save') : t('storage.createSubmit')}</button>
        {profile && onDone && <button type="button" onClick={onDone}>{t('storage.cancel')}</button>}
      </div>
    </form>
  );
}
