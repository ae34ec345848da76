import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { ConfirmDialog } from '../../ui/Dialog';
import { DataTable } from '../../ui/DataTable';
import { ErrorNotice, QueryView } from '../../ui/States';
import { alertsApi, formatMatcher, type InhibitRule, parseMatcherLines } from './api';

function CreateRule() {
  const { t } = useTranslation();
  const id = useId();
  const queries = useQueryClient();
  const [bad, setBad] = useState<string | null>(null);
  const create = useMutation({ mutationFn: alertsApi.createRule, onSuccess: () => queries.invalidateQueries({ queryKey: ['alerts', 'rules'] }) });
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const text = (n: string) => String(f.get(n) ?? '').trim();
    const source = parseMatcherLines(text('source'));
    const target = parseMatcherLines(text('target'));
    const wrong = [...source.bad, ...target.bad][0];
    setBad(wrong ?? null);
    if (wrong) return;
    create.mutate({
      name: text('name'),
      source_matchers: source.matchers,
      target_matchers: target.matchers,
      equal: text('equal').split(',').map((s) => s.trim()).filter(Boolean),
    }, { onSuccess: () => form.reset() });
  }
  const area = (name: string, label: string) => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>{label} *</label>
      <textarea id={`${id}-${name}`} name={name} rows={2} required aria-describedby={`${id}-hint`} />
    </div>
  );
  return (
    <details className="card">
      <summary>{t('rules.create')}</summary>
      <form onSubmit={submit} aria-label={t('rules.create')}>
        <div className="field">
          <label htmlFor={`${id}-name`}>{t('rules.name')} *</label>
          <input id={`${id}-name`} name="name" required pattern="[a-z0-9][a-z0-9_\-]*" maxLength={100} />
        </div>
        {area('source', t('rules.source'))}
        {area('target', t('rules.target'))}
        <p id={`${id}-hint`} className="hint muted">{t('silences.matchersHint')}</p>
        <div className="field">
          <label htmlFor={`${id}-equal`}>{t('rules.equal')}</label>
          <input id={`${id}-equal`} name="equal" placeholder="instance, job" />
        </div>
        {bad && <p className="state-error" role="alert">{t('silences.badMatcher', { line: bad })}</p>}
        {create.error != null && <ErrorNotice error={create.error} />}
        <button type="submit" className="primary" disabled={create.isPending}>{t('rules.save')}</button>
      </form>
    </details>
  );
}

/** Inhibition rules: while a source alert fires, matching targets with the same `equal` labels are muted. */
export function RulesView() {
  const { t } = useTranslation();
  const { can } = useSession();
  const queries = useQueryClient();
  const [deleting, setDeleting] = useState<InhibitRule | null>(null);
  const list = useQuery({ queryKey: ['alerts', 'rules'], queryFn: alertsApi.rules });
  const remove = useMutation({ mutationFn: alertsApi.deleteRule, onSuccess: () => { setDeleting(null); void queries.invalidateQueries({ queryKey: ['alerts'] }); } });
  const m = (list: InhibitRule['source_matchers']) => <code className="example">{list.map(formatMatcher).join(', ')}</code>;
  return (
    <>
      {can('alerts:manage') && <CreateRule />}
      <QueryView query={list} isEmpty={(l) => l.items.length === 0} empty={t('rules.empty')}>
        {(l) => (
          <DataTable
            caption={t('rules.title')}
            rows={l.items}
            rowKey={(r) => r.id}
            columns={[
              { key: 'name', header: t('rules.name'), cell: (r) => r.name },
              { key: 'source', header: t('rules.source'), cell: (r) => m(r.source_matchers) },
              { key: 'target', header: t('rules.target'), cell: (r) => m(r.target_matchers) },
              { key: 'equal', header: t('rules.equal'), cell: (r) => r.equal.join(', ') },
              { key: 'act', header: t('alerts.actions'), cell: (r) => can('alerts:manage')
                ? <button type="button" className="danger" onClick={() => setDeleting(r)} aria-label={t('rules.deleteOne', { name: r.name })}>{t('receivers.delete')}</button>
                : null },
            ]}
          />
        )}
      </QueryView>
      {deleting && (
        <ConfirmDialog
          title={t('rules.deleteTitle', { name: deleting.name })}
          message={t('rules.deleteMessage')}
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
