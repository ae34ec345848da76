import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { formatTime } from '../../i18n/format';
import { DataTable } from '../../ui/DataTable';
import { ErrorNotice, QueryView } from '../../ui/States';
import { type SecretDetail, type SecretVersion, secretsApi } from './api';
import { NewValueForms } from './NewValueForms';
import { RevealValue } from './RevealValue';

/** One secret: its metadata, its versions, and what the role may do with them. */
export function SecretPanel({ name, onClose }: { name: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const [revealing, setRevealing] = useState<number | null>(null);
  const detail = useQuery({ queryKey: ['secrets', name], queryFn: () => secretsApi.get(name) });

  return (
    <section className="card" aria-labelledby="secret-panel-title">
      <h2 id="secret-panel-title">{t('secrets.panelTitle', { name })}</h2>
      <QueryView query={detail}>
        {(s) => (
          <>
            <Facts secret={s} />
            <h3>{t('secrets.versionsTitle')}</h3>
            <Versions secret={s} onReveal={can('secrets:reveal') ? setRevealing : null} />
            {revealing !== null && <RevealValue key={revealing} name={s.name} version={revealing} onClose={() => setRevealing(null)} />}
            {can('secrets:write') && (
              <>
                {!s.deleted_at && <NewValueForms name={s.name} current={s.current_version} />}
                <DeleteOrRestore secret={s} />
              </>
            )}
          </>
        )}
      </QueryView>
      <div className="actions">
        <button type="button" onClick={onClose}>{t('secrets.close')}</button>
      </div>
    </section>
  );
}

function Facts({ secret: s }: { secret: SecretDetail }) {
  const { t } = useTranslation();
  return (
    <dl className="facts">
      <dt>{t('secrets.description')}</dt><dd>{s.description ?? '—'}</dd>
      <dt>{t('secrets.currentVersion')}</dt><dd>{s.current_version}</dd>
      <dt>{t('secrets.createdAt')}</dt><dd>{formatTime(s.created_at)}</dd>
      <dt>{t('secrets.updated')}</dt><dd>{formatTime(s.updated_at)}</dd>
      <dt>{t('secrets.lastUsed')}</dt><dd>{formatTime(s.last_used_at)}</dd>
      <dt>{t('secrets.lastRotated')}</dt><dd>{formatTime(s.last_rotated_at)}{s.rotation_reason && ` — ${s.rotation_reason}`}</dd>
      <dt>{t('secrets.keep')}</dt><dd>{t('secrets.keepVersions', { count: s.max_versions })}</dd>
      {s.tags.length > 0 && <><dt>{t('secrets.tags')}</dt><dd>{s.tags.join(', ')}</dd></>}
      {s.deleted_at && <><dt>{t('secrets.status')}</dt><dd>{t('secrets.deletedAt', { time: formatTime(s.deleted_at) })}</dd></>}
    </dl>
  );
}

function Versions({ secret, onReveal }: { secret: SecretDetail; onReveal: ((version: number) => void) | null }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const queries = useQueryClient();
  const [confirming, setConfirming] = useState<number | null>(null);
  const destroy = useMutation({
    mutationFn: (version: number) => secretsApi.destroyVersion(secret.name, version),
    onSuccess: () => {
      setConfirming(null);
      void queries.invalidateQueries({ queryKey: ['secrets'] });
    },
  });
  const readable = (v: SecretVersion) => v.state === 'current' || v.state === 'readable';
  const destroyable = (v: SecretVersion) => can('secrets:write') && v.state !== 'current' && v.state !== 'destroyed';
  const actions = (v: SecretVersion) => (
    <div className="actions">
      {onReveal && readable(v) && !secret.deleted_at && (
        <button type="button" onClick={() => onReveal(v.version)} aria-label={t('secrets.revealVersion', { version: v.version })}>{t('secrets.reveal')}</button>
      )}
      {destroyable(v) && confirming !== v.version && (
        <button type="button" onClick={() => setConfirming(v.version)} aria-label={t('secrets.destroyVersion', { version: v.version })}>{t('secrets.destroy')}</button>
      )}
      {confirming === v.version && (
        <>
          <span>{t('secrets.destroyConfirm', { version: v.version })}</span>
          <button type="button" onClick={() => destroy.mutate(v.version)} disabled={destroy.isPending}>{t('secrets.destroyYes')}</button>
          <button type="button" onClick={() => setConfirming(null)}>{t('secrets.cancel')}</button>
        </>
      )}
    </div>
  );
  return (
    <>
      {destroy.isError && <ErrorNotice error={destroy.error} />}
      <DataTable
        caption={t('secrets.versionsOf', { name: secret.name })}
        rows={[...secret.versions].sort((a, b) => b.version - a.version)}
        rowKey={(v) => v.version}
        columns={[
          { key: 'version', header: t('secrets.version'), numeric: true, cell: (v) => v.version },
          { key: 'state', header: t('secrets.state'), cell: (v) => t(`secrets.states.${v.state}`) },
          { key: 'created', header: t('secrets.createdAt'), cell: (v) => formatTime(v.created_at) },
          { key: 'by', header: t('secrets.who'), cell: (v) => v.created_by ?? '—' },
          { key: 'expires', header: t('secrets.expires'), cell: (v) => formatTime(v.expires_at) },
          ...(onReveal || can('secrets:write') ? [{ key: 'actions', header: t('secrets.actions'), cell: actions }] : []),
        ]}
      />
    </>
  );
}

function DeleteOrRestore({ secret }: { secret: SecretDetail }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const change = useMutation({
    mutationFn: async () => {
      if (secret.deleted_at) await secretsApi.restore(secret.name);
      else await secretsApi.remove(secret.name);
    },
    onSuccess: () => queries.invalidateQueries({ queryKey: ['secrets'] }),
  });
  return (
    <div className="actions">
      {change.isError && <ErrorNotice error={change.error} />}
      {secret.deleted_at ? (
        <button type="button" onClick={() => change.mutate()} disabled={change.isPending}>{t('secrets.restore')}</button>
      ) : (
        <button type="button" onClick={() => change.mutate()} disabled={change.isPending} aria-describedby="secret-delete-hint">{t('secrets.delete')}</button>
      )}
      {!secret.deleted_at && <span id="secret-delete-hint" className="hint muted">{t('secrets.deleteHint')}</span>}
    </div>
  );
}
