import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { formatNumber } from '../../i18n/format';
import { DataTable } from '../../ui/DataTable';
import { ErrorNotice, QueryView } from '../../ui/States';
import { type Profile, storageApi } from './api';
import { ProfileForm } from './ProfileForm';

/** Test the connection (storage:read), edit and delete (storage:manage; delete asks once more). */
function ProfileActions({ profile, onEdit }: { profile: Profile; onEdit: () => void }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const queries = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const test = useMutation({ mutationFn: () => storageApi.test(profile.id) });
  const remove = useMutation({
    mutationFn: () => storageApi.remove(profile.id),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['storage', 'profiles'] }),
  });
  const name = profile.name;
  return (
    <div>
      <div className="actions">
        <button type="button" onClick={() => test.mutate()} disabled={test.isPending} aria-label={t('storage.testOf', { name })}>
          {test.isPending ? t('storage.testing') : t('storage.test')}
        </button>
        {can('storage:manage') && (
          <>
            <button type="button" onClick={onEdit} aria-label={t('storage.editOf', { name })}>{t('storage.edit')}</button>
            {confirming ? (
              <>
                <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>{t('storage.confirmDelete', { name })}</button>
                <button type="button" onClick={() => setConfirming(false)}>{t('storage.cancel')}</button>
              </>
            ) : (
              <button type="button" onClick={() => setConfirming(true)} aria-label={t('storage.deleteOf', { name })}>{t('storage.delete')}</button>
            )}
          </>
        )}
      </div>
      {test.isSuccess && (
        <p className="notice info" role="status">
          {t('storage.testOk', { endpoint: test.data.endpoint, bucket: test.data.bucket, n: formatNumber(test.data.objects_seen), ms: formatNumber(test.data.ms) })}
        </p>
      )}
      {test.isError && <ErrorNotice error={test.error} />}
      {remove.isError && <ErrorNotice error={remove.error} />}
    </div>
  );
}

/** The storage profiles: list, create, edit, delete, test the connection. */
export function Profiles() {
  const { t } = useTranslation();
  const { can } = useSession();
  const list = useQuery({ queryKey: ['storage', 'profiles'], queryFn: storageApi.profiles });
  const [editing, setEditing] = useState<Profile | null>(null);
  return (
    <section aria-labelledby="storage-profiles">
      <h2 id="storage-profiles">{t('storage.profiles')}</h2>
      {can('storage:manage') && (
        <details className="card">
          <summary>{t('storage.create')}</summary>
          <ProfileForm />
        </details>
      )}
      {editing && (
        <div className="card edit-card">
          <h3>{t('storage.editOf', { name: editing.name })}</h3>
          <ProfileForm key={editing.id} profile={editing} onDone={() => setEditing(null)} />
        </div>
      )}
      <QueryView query={list} isEmpty={(d) => d.items.length === 0} empty={t('storage.noProfiles')}>
        {(d) => (
          <DataTable
            caption={t('storage.profiles')}
            rows={d.items}
            rowKey={(p) => p.id}
            columns={[
              { key: 'name', header: t('storage.name'), cell: (p) => <>{p.name}{p.description && <><br /><span className="muted">{p.description}</span></>}</> },
              { key: 'where', header: t('storage.where'), cell: (p) => <><code>{p.provider}</code> {p.region} / <code>{p.bucket}</code>{p.endpoint && <><br /><code>{p.endpoint}</code></>}</> },
              { key: 'prefix', header: t('storage.prefix'), cell: (p) => <><code>{p.prefix || '/'}</code>{p.date_pattern && <> + <code>{p.date_pattern}</code></>}</> },
              { key: 'creds', header: t('storage.credentials'), cell: (p) => <><code>{p.access_key_id}</code><br /><code>{p.secret_access_key}</code></> },
              { key: 'actions', header: t('storage.actions'), cell: (p) => <ProfileActions profile={p} onEdit={() => setEditing(p)} /> },
            ]}
          />
        )}
      </QueryView>
    </section>
  );
}
