import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { formatTime } from '../../i18n/format';
import { DataTable } from '../../ui/DataTable';
import { ErrorNotice, QueryView } from '../../ui/States';
import { alertsApi, formatMatcher, labelText, matchesAll, parseMatcherLines } from './api';
import { LIVE } from './AlertsView';

/** The firing alerts the matchers would silence (the server's semantics, computed here), or why not. */
function Preview({ text }: { text: string }) {
  const { t } = useTranslation();
  const firing = useQuery({ queryKey: ['alerts', 'list', 'firing', 7], queryFn: () => alertsApi.list('firing', 7), refetchInterval: LIVE });
  const { matchers, bad } = parseMatcherLines(text);
  let body;
  if (bad.length) body = <p className="state-error">{t('silences.badMatcher', { line: bad[0] })}</p>;
  else if (!matchers.length) body = <p className="muted">{t('silences.previewEmpty')}</p>;
  else {
    try {
      const hit = (firing.data?.groups ?? []).flatMap((g) => g.alerts).filter((a) => matchesAll(matchers, a.labels));
      body = hit.length
        ? <ul>{hit.map((a) => <li key={a.id}><code className="example">{labelText(a.labels)}</code></li>)}</ul>
        : <p className="muted">{t('silences.previewNone')}</p>;
    } catch (err) {
      body = <p className="state-error">{t('silences.badRegex', { detail: (err as Error).message })}</p>;
    }
  }
  return (
    <section className="silence-preview" aria-labelledby="silence-preview" aria-live="polite">
      <h3 id="silence-preview">{t('silences.preview')}</h3>
      {body}
    </section>
  );
}

function CreateSilence() {
  const { t } = useTranslation();
  const id = useId();
  const queries = useQueryClient();
  const [matchers, setMatchers] = useState('');
  const create = useMutation({ mutationFn: alertsApi.createSilence, onSuccess: () => queries.invalidateQueries({ queryKey: ['alerts'] }) });
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const text = (n: string) => String(f.get(n) ?? '').trim();
    const parsed = parseMatcherLines(matchers);
    const starts = text('starts_at');
    const ends = text('ends_at');
    create.mutate({
      matchers: parsed.matchers,
      comment: text('comment'),
      ...(starts ? { starts_at: new Date(starts).toISOString() } : {}),
      ...(ends ? { ends_at: new Date(ends).toISOString() } : { duration_minutes: Number(text('duration')) || 60 }),
    }, { onSuccess: () => { form.reset(); setMatchers(''); } });
  }
  const bad = parseMatcherLines(matchers).bad.length > 0;
  return (
    <details className="card">
      <summary>{t('silences.create')}</summary>
      <form onSubmit={submit} aria-label={t('silences.create')}>
        <div className="field">
          <label htmlFor={`${id}-m`}>{t('silences.matchers')} *</label>
          <textarea id={`${id}-m`} rows={3} required value={matchers} onChange={(e) => setMatchers(e.target.value)} aria-describedby={`${id}-m-hint`} placeholder={'alertname="DiskFull"\ninstance=~"db[12]:.*"'} />
          <span id={`${id}-m-hint`} className="hint muted">{t('silences.matchersHint')}</span>
        </div>
        <Preview text={matchers} />
        <div className="filters">
          <div className="field"><label htmlFor={`${id}-s`}>{t('silences.startsAt')}</label><input id={`${id}-s`} name="starts_at" type="datetime-local" /></div>
          <div className="field"><label htmlFor={`${id}-e`}>{t('silences.endsAt')}</label><input id={`${id}-e`} name="ends_at" type="datetime-local" /></div>
          <div className="field"><label htmlFor={`${id}-d`}>{t('silences.duration')}</label><input id={`${id}-d`} name="duration" type="number" min={1} max={525600} defaultValue={60} /></div>
        </div>
        <div className="field">
          <label htmlFor={`${id}-c`}>{t('silences.comment')} *</label>
          <input id={`${id}-c`} name="comment" required maxLength={2000} />
        </div>
        {create.error != null && <ErrorNotice error={create.error} />}
        {create.isSuccess && <p role="status">{t('silences.created')}</p>}
        <button type="submit" className="primary" disabled={bad || create.isPending}>{t('silences.save')}</button>
      </form>
    </details>
  );
}

/** Silences (active, pending, expired), create with a preview of what they mute, expire. */
export function SilencesView() {
  const { t } = useTranslation();
  const { can } = useSession();
  const queries = useQueryClient();
  const list = useQuery({ queryKey: ['alerts', 'silences'], queryFn: alertsApi.silences, refetchInterval: LIVE });
  const expire = useMutation({ mutationFn: alertsApi.expireSilence, onSuccess: () => queries.invalidateQueries({ queryKey: ['alerts'] }) });
  return (
    <>
      {can('alerts:write') && <CreateSilence />}
      {expire.error != null && <ErrorNotice error={expire.error} />}
      <QueryView query={list} isEmpty={(l) => l.items.length === 0} empty={t('silences.none')}>
        {(l) => (
          <DataTable
            caption={t('silences.title')}
            rows={l.items}
            rowKey={(s) => s.id}
            columns={[
              { key: 'matchers', header: t('silences.matchers'), cell: (s) => <code className="example">{s.matchers.map(formatMatcher).join(', ')}</code> },
              { key: 'state', header: t('alerts.state'), cell: (s) => t(`silences.state_${s.state}`) },
              { key: 'starts', header: t('silences.startsAt'), cell: (s) => formatTime(s.starts_at) },
              { key: 'ends', header: t('silences.endsAt'), cell: (s) => formatTime(s.ends_at) },
              { key: 'by', header: t('silences.createdBy'), cell: (s) => s.created_by },
              { key: 'comment', header: t('silences.comment'), cell: (s) => s.comment },
              { key: 'act', header: t('alerts.actions'), cell: (s) => can('alerts:write') && s.state !== 'expired'
                ? <button type="button" onClick={() => expire.mutate(s.id)} aria-label={t('silences.expireOne', { comment: s.comment })}>{t('silences.expire')}</button>
                : null },
            ]}
          />
        )}
      </QueryView>
    </>
  );
}
