import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Field, TextField } from '../../ui/Field';
import { ErrorNotice } from '../../ui/States';
import { type Profile, type ProfileFields, type Provider, refName, secretRef, storageApi } from './api';

/** A select of stored secrets: the profile keeps `${secret:NAME}`, never a key in clear. */
function SecretSelect({ name, label, current, names }: { name: string; label: string; current: string | undefined; names: string[] }) {
  const { t } = useTranslation();
  const chosen = current ? refName(current) : null;
  const options = chosen && !names.includes(chosen) ? [chosen, ...names] : names;
  return (
    <Field label={label} required hint={t('storage.secretHint')}>
      {(control) => (
        <select {...control} name={name} required defaultValue={chosen ?? ''}>
          <option value="" disabled>{t('storage.chooseSecret')}</option>
          {options.map((n) => <option key={n} value={n}>{secretRef(n)}</option>)}
        </select>
      )}
    </Field>
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

  return (
    <form onSubmit={submit} aria-label={profile ? t('storage.editOf', { name: profile.name }) : t('storage.create')}>
      {!profile && <TextField name="name" label={t('storage.name')} required hint={t('storage.nameHint')} />}
      <Field label={t('storage.provider')}>
        {(control) => (
          <select {...control} name="provider" value={provider} onChange={(e) => setProvider(e.target.value as Provider)}>
            <option value="s3">{t('storage.providerS3')}</option>
            <option value="cos">{t('storage.providerCos')}</option>
          </select>
        )}
      </Field>
      <TextField name="region" label={t('storage.region')} required placeholder={provider === 'cos' ? 'ap-guangzhou' : 'us-east-1'} defaultValue={profile?.region} />
      <TextField name="bucket" label={t('storage.bucket')} required hint={provider === 'cos' ? t('storage.bucketCosHint') : undefined} defaultValue={profile?.bucket} />
      {provider === 's3' && (
        <>
          <TextField name="endpoint" label={t('storage.endpoint')} hint={t('storage.endpointHint')} defaultValue={profile?.endpoint} />
          <div className="field">
            <label className="check">
              <input type="checkbox" name="path_style" defaultChecked={profile?.path_style ?? false} /> {t('storage.pathStyle')}
            </label>
          </div>
        </>
      )}
      {secrets.isError && <ErrorNotice error={secrets.error} />}
      {secrets.isSuccess && names.length === 0 && <p className="notice info">{t('storage.noSecrets')}</p>}
      <SecretSelect name="access_key_id" label={t('storage.accessKeyId')} current={profile?.access_key_id} names={names} />
      <SecretSelect name="secret_access_key" label={t('storage.secretAccessKey')} current={profile?.secret_access_key} names={names} />
      <TextField name="prefix" label={t('storage.prefix')} hint={t('storage.prefixHint')} defaultValue={profile?.prefix} />
      <TextField name="date_pattern" label={t('storage.datePattern')} hint={t('storage.datePatternHint')} defaultValue={profile?.date_pattern} />
      <TextField name="description" label={t('storage.description')} defaultValue={profile?.description} />
      {save.isError && <ErrorNotice error={save.error} />}
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>{profile ? t('storage.save') : t('storage.createSubmit')}</button>
        {profile && onDone && <button type="button" onClick={onDone}>{t('storage.cancel')}</button>}
      </div>
    </form>
  );
}
