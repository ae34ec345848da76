import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { useSession } from '../../api/session';
import type { Page } from '../../api/types';
import { JsonRpcViewer } from '../../ui/JsonRpcViewer';
import type { McpRow } from '../../ui/jsonrpc-pairs';
import { LiveBadge } from '../../ui/LiveBadge';
import { Empty, QueryView } from '../../ui/States';
import { useLiveRows } from '../../ui/useLiveRows';

interface StderrLine {
  seq: number;
  line: string;
}
const seqOf = (l: StderrLine) => l.seq;
const idOf = (r: McpRow) => r.id;

/** A server's live views: its stderr as written, and its protocol log as JSON-RPC exchanges (both SSE). */
export function ServerLive({ id, name }: { id: string; name: string }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const [tab, setTab] = useState<'stderr' | 'protocol'>('stderr');
  const tabs = can('logs:read') ? (['stderr', 'protocol'] as const) : (['stderr'] as const);
  return (
    <section aria-labelledby="server-live-title">
      <h2 id="server-live-title">{t('serverLive.title')}</h2>
      <div className="tabs" role="tablist" aria-label={t('serverLive.title')}>
        {tabs.map((k) => (
          <button key={k} id={`server-live-${k}`} type="button" role="tab" aria-selected={tab === k} aria-controls="server-live-panel" onClick={() => setTab(k)}>
            {t(`serverLive.${k}`)}
          </button>
        ))}
      </div>
      <div id="server-live-panel" role="tabpanel" aria-labelledby={`server-live-${tab}`}>
        {tab === 'stderr' ? <LiveStderr id={id} /> : <ProtocolLog name={name} />}
      </div>
    </section>
  );
}

function LiveStderr({ id }: { id: string }) {
  const { t } = useTranslation();
  const { rows, state } = useLiveRows<StderrLine>(`/tools/${encodeURIComponent(id)}/stderr/stream?tail=200`, seqOf, 1000);
  const text = useMemo(() => [...rows].reverse().map((l) => l.line).join('\n'), [rows]);
  return (
    <>
      <p><LiveBadge state={state} /></p>
      {rows.length === 0 ? <Empty>{t('serverLive.noStderr')}</Empty> : (
        <pre className="output" role="log" aria-label={t('serverLive.stderr')} tabIndex={0}>{text}</pre>
      )}
    </>
  );
}

function ProtocolLog({ name }: { name: string }) {
  const list = useQuery({
    queryKey: ['logs', 'mcp', { server: name }],
    queryFn: ({ signal }) => api<Page<McpRow>>(`/logs/mcp?${new URLSearchParams({ server: name, limit: '200' }).toString()}`, { signal }),
    refetchOnWindowFocus: false,
  });
  const newest = list.data?.items[0]?.id;
  const path = list.isSuccess ? `/logs/stream?${new URLSearchParams({ kind: 'mcp', server: name, ...(newest !== undefined ? { after: String(newest) } : {}) }).toString()}` : null;
  const tail = useLiveRows<McpRow>(path, idOf);
  const rows = useMemo(() => [...tail.rows.filter((r) => newest === undefined || r.id > newest), ...(list.data?.items ?? [])], [tail.rows, list.data, newest]);
  return (
    <>
      <p><LiveBadge state={tail.state} /></p>
      <QueryView query={list}>{() => <JsonRpcViewer rows={rows} idPrefix="server-rpc" />}</QueryView>
    </>
  );
}
