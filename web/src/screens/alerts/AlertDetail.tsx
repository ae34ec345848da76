import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { formatTime } from '../../i18n/format';
import { Dialog } from '../../ui/Dialog';
import { ErrorNotice, QueryView } from '../../ui/States';
import { type Alert, alertsApi, type Labels, type Note } from './api';
import { AlertState, LIVE } from './AlertsView';

function LabelList({ labels }: { labels: Labels }) {
  return (
    <dl className="facts">
      {Object.entries(labels).map(([k, v]) => <div className="fact" key={k}><dt>{k}</dt><dd>{v}</dd></div>)}
    </dl>
  );
}

/** What happened to the alert, oldest first: started, received, acknowledged, notes, resolved. */
function timeline(a: Alert & { notes: Note[] }, t: (k: string, o?: Record<string, unknown>) => string): { at: string; text: string }[] {
  const rows = [
    { at: a.starts_at, text: t('alerts.tlStarted') },
    { at: a.first_received_at, text: t('alerts.tlReceived', { count: a.received_count }) },
    ...(a.acked_at ? [{ at: a.acked_at, text: t('alerts.tlAcked', { by: a.acked_by ?? '?' }) }] : []),
    ...a.notes.map((n) => ({ at: n.created_at, text: t('alerts.tlNote', { by: n.author, text: n.text }) })),
    ...(a.ends_at ? [{ at: a.ends_at, text: a.resolved_by ? t('alerts.tlResolvedBy', { by: a.resolved_by }) : t('alerts.tlResolved') }] : []),
  ];
  return rows.sort((x, y) => Date.parse(x.at) - Date.parse(y.at));
}

/** An alert: labels, annotations, its source's link, notes and timeline; ack, resolve, note (operators). */
export function AlertDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const form = useId();
  const queries = useQueryClient();
  const [text, setText] = useState('');
  const detail = useQuery({ queryKey: ['alerts', 'detail', id], queryFn: () => alertsApi.get(id), refetchInterval: LIVE });
  const done = () => {
    setText('');
    void queries.invalidateQueries({ queryKey: ['alerts'] });
  };
  // The ack's comment is kept as a note, in the same transaction.
  const ack = useMutation({ mutationFn: () => alertsApi.ack(id, text.trim() || undefined), onSuccess: done });
  const resolve = useMutation({ mutationFn: () => alertsApi.resolve(id), onSuccess: done });
  const note = useMutation({ mutationFn: () => alertsApi.note(id, text.trim()), onSuccess: done });
  const error = ack.error ?? resolve.error ?? note.error;
  const name = detail.data?.labels['alertname'] ?? t('alerts.alert');

  return (
    <Dialog title={t('alerts.detailTitle', { name })} onClose={onClose}>
      <QueryView query={detail}>
        {(a) => (
          <>
            <p><AlertState a={a} /></p>
            <h3>{t('alerts.labels')}</h3>
            <LabelList labels={a.labels} />
            <h3>{t('alerts.annotations')}</h3>
            <LabelList labels={a.annotations} />
            {a.generator_url && /^https?:\/\//.test(a.generator_url) && <p><a href={a.generator_url} target="_blank" rel="noreferrer noopener">{t('alerts.source')}</a></p>}
            <h3>{t('alerts.timeline')}</h3>
            <ol>
              {timeline(a, t).map((r, i) => <li key={i}><time dateTime={r.at}>{formatTime(r.at)}</time> — {r.text}</li>)}
            </ol>
            {can('alerts:write') && (
              <form aria-label={t('alerts.act')} onSubmit={(e: FormEvent) => { e.preventDefault(); if (text.trim()) note.mutate(); }}>
                <div className="field">
                  <label htmlFor={`${form}-note`}>{t('alerts.noteLabel')}</label>
                  <textarea id={`${form}-note`} rows={3} value={text} maxLength={2000} onChange={(e) => setText(e.target.value)} />
                </div>
                {error != null && <ErrorNotice error={error} />}
                <div className="actions">
                  <button type="submit" disabled={!text.trim() || note.isPending}>{t('alerts.addNote')}</button>
                  {a.status === 'firing' && !a.acked_at && <button type="button" onClick={() => ack.mutate()} disabled={ack.isPending}>{t('alerts.ack')}</button>}
                  {a.status === 'firing' && <button type="button" className="danger" onClick={() => resolve.mutate()} disabled={resolve.isPending}>{t('alerts.resolve')}</button>}
                </div>
              </form>
            )}
          </>
        )}
      </QueryView>
      <div className="actions"><button type="button" onClick={onClose}>{t('alerts.close')}</button></div>
    </Dialog>
  );
}
