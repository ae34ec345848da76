import { useQueries, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { formatTime } from '../../i18n/format';
import { DataTable } from '../../ui/DataTable';
import { QueryView } from '../../ui/States';
import { type Secret, secretsApi } from './api';
import { CreateSecret } from './CreateSecret';
import { SecretPanel } from './SecretPanel';

/** Stored secrets: metadata and versions for readers; create, set, rotate, delete and restore for writers; reveal (audited) for those allowed. */
export default function Secrets() {
  const { t } = useTranslation();
  const { can } = useSession();
  const [showDeleted, setShowDeleted] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const list = useQuery({ queryKey: ['secrets', 'list', showDeleted], queryFn: () => secretsApi.list(showDeleted) });
  const items = list.data?.items ?? [];
  const details = useQueries({ queries: items.map((s) => ({ queryKey: ['secrets', s.name], queryFn: () => secretsApi.get(s.name) })) });
  const whoOf = (s: Secret) => details[items.indexOf(s)]?.data?.versions.find((v) => v.version === s.current_version)?.created_by ?? '—';

  return (
    <>
      <h1>{t('secrets.title')}</h1>
      <p className="muted">{t('secrets.intro')}</p>
      {can('secrets:write') && <CreateSecret onCreated={setSelected} />}
      <div className="filters">
        <label className="live">
          <input type="checkbox" checked={showDeleted} onChange={(e) => setShowDeleted(e.target.checked)} /> {t('secrets.showDeleted')}
        </label>
      </div>
      <QueryView query={list} isEmpty={(p) => p.items.length === 0} empty={t('secrets.empty')}>
        {(page) => (
          <DataTable
            caption={t('secrets.title')}
            rows={page.items}
            rowKey={(s) => s.id}
            columns={[
              {
                key: 'name',
                header: t('secrets.name'),
                cell: (s) => (
                  <button type="button" aria-pressed={selected === s.name} onClick={() => setSelected(selected === s.name ? null : s.name)}>
                    {s.name}
                  </button>
                ),
              },
              { key: 'description', header: t('secrets.description'), cell: (s) => s.description ?? '—' },
              { key: 'versions', header: t('secrets.versions'), numeric: true, cell: (s) => s.version_count },
              { key: 'updated', header: t('secrets.updated'), cell: (s) => formatTime(s.updated_at) },
              { key: 'who', header: t('secrets.who'), cell: whoOf },
              { key: 'status', header: t('secrets.status'), cell: (s) => (s.deleted_at ? t('secrets.deleted') : t('secrets.active')) },
            ]}
          />
        )}
      </QueryView>
      {selected && <SecretPanel key={selected} name={selected} onClose={() => setSelected(null)} />}
    </>
  );
}
