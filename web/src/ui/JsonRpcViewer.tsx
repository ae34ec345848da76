import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber, formatTime } from '../i18n/format';
import { pairJsonRpc, payloadPart, type Entry, type McpRow } from './jsonrpc-pairs';
import { Empty } from './States';

/**
 * The protocol log as JSON-RPC exchanges: each request with its response and the notifications in
 * between, newest first, for every session or one; each opens to the pretty-printed params and result
 * or error. `idPrefix` keeps ids unique when two viewers share a page.
 */
export function JsonRpcViewer({ rows, idPrefix = 'rpc' }: { rows: readonly McpRow[]; idPrefix?: string }) {
  const { t } = useTranslation();
  const [session, setSession] = useState('');
  const sessions = useMemo(() => [...new Set(rows.map((r) => r.session_id).filter((s): s is string => s !== null))], [rows]);
  const entries = useMemo(() => pairJsonRpc(session ? rows.filter((r) => r.session_id === session) : rows).reverse(), [rows, session]);

  return (
    <section className="jsonrpc" aria-label={t('rpc.title')}>
      <div className="filters">
        <div className="field">
          <label htmlFor={`${idPrefix}-session`}>{t('rpc.session')}</label>
          <select id={`${idPrefix}-session`} value={session} onChange={(e) => setSession(e.target.value)}>
            <option value="">{t('rpc.allSessions')}</option>
            {sessions.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </div>
      </div>
      {entries.length === 0 ? <Empty>{t('rpc.empty')}</Empty> : (
        <ul className="exchanges">
          {entries.map((e) => <li key={keyOf(e)}><EntryView entry={e} /></li>)}
        </ul>
      )}
    </section>
  );
}

const keyOf = (e: Entry) => (e.kind === 'exchange' ? e.request.id : e.row.id);

function EntryView({ entry }: { entry: Entry }) {
  const { t } = useTranslation();
  if (entry.kind === 'lone') {
    const r = entry.row;
    return (
      <details className="exchange">
        <summary>
          <time dateTime={r.time}>{formatTime(r.time)}</time> <code>{r.method ?? `#${r.jsonrpc_id}`}</code> <span className="muted">{r.server}</span>{' '}
          <span className="badge">{r.jsonrpc_id === null ? t('rpc.notification') : t('rpc.unpaired')}</span>
        </summary>
        <Part title={t('rpc.message')} row={r} />
      </details>
    );
  }
  const { request, response, notifications } = entry;
  const status = response === null ? t('rpc.pending') : response.outcome === 'error' ? t('rpc.error') : t('rpc.ok');
  return (
    <details className="exchange" data-status={response?.outcome ?? 'pending'}>
      <summary>
        <time dateTime={request.time}>{formatTime(request.time)}</time> <code>{request.method}</code> <span className="muted">{request.server}</span>{' '}
        <span className="badge">{status}</span>
        {response?.duration_ms != null && <span className="muted"> {formatNumber(response.duration_ms)} ms</span>}
        {notifications.length > 0 && <span className="muted"> · {t('rpc.notifications', { count: notifications.length })}</span>}
      </summary>
      <dl className="facts">
        <dt>{t('rpc.id')}</dt><dd><code>{request.jsonrpc_id}</code></dd>
        <dt>{t('rpc.caller')}</dt><dd>{request.caller ?? '—'}</dd>
        <dt>{t('rpc.session')}</dt><dd>{request.session_id ?? '—'}</dd>
      </dl>
      <Part title={t('rpc.params')} row={request} />
      {notifications.map((n) => <Part key={n.id} title={`${t('rpc.notification')}: ${n.method ?? ''}`} row={n} />)}
      {response ? <Part title={response.outcome === 'error' ? t('rpc.errorBody') : t('rpc.result')} row={response} /> : <p className="muted">{t('rpc.noResponse')}</p>}
    </details>
  );
}

function Part({ title, row }: { title: string; row: McpRow }) {
  return (
    <>
      <p className="part-title"><strong>{title}</strong></p>
      <pre className="output">{payloadPart(row)}</pre>
    </>
  );
}
