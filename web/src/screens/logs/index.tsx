import { useInfiniteQuery } from '@tanstack/react-query';
import { type FormEvent, useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Page } from '../../api/types';
import { formatNumber, formatTime } from '../../i18n/format';
import type { Column } from '../../ui/DataTable';
import { VirtualTable } from '../../ui/VirtualTable';
import { QueryView } from '../../ui/States';
import { JsonRpcViewer } from '../../ui/JsonRpcViewer';
import type { McpRow } from '../../ui/jsonrpc-pairs';
import { LiveBadge } from '../../ui/LiveBadge';
import { useLiveRows } from '../../ui/useLiveRows';
import { methodWithTarget } from './mcp-target';
import { rangeOf, TimeRange, type Range } from './TimeRange';

type Kind = 'system' | 'operations' | 'mcp';
type Row = Record<string, unknown> & { id: number; time: string };

/** Which filters each log has (the query parameters of GET /logs/{kind}). */
const FILTERS: Record<Kind, { name: string; label: string; options?: string[] }[]> = {
  system: [{ name: 'level', label: 'logs.level', options: ['debug', 'info', 'warn', 'error', 'fatal'] }, { name: 'q', label: 'logs.search' }],
  operations: [{ name: 'actor', label: 'logs.actor' }, { name: 'action', label: 'logs.action' }, { name: 'outcome', label: 'logs.outcome', options: ['success', 'failure'] }],
  mcp: [{ name: 'server', label: 'logs.server' }, { name: 'method', label: 'logs.method' }, { name: 'outcome', label: 'logs.outcome', options: ['ok', 'error'] }, { name: 'q', label: 'logs.search' }],
};

const rowId = (r: Row) => r.id;

/** The live tail's path: the same filters (no time range: it follows the present), after the newest row shown. */
function streamPath(kind: Kind, filters: Record<string, string>, after: number | undefined): string {
  const params = new URLSearchParams({ kind, ...filters });
  if (after !== undefined) params.set('after', String(after));
  return `/logs/stream?${params.toString()}`;
}

/** System, operation and MCP logs, newest first, with filters, a time range, paging and a live tail (SSE). */
export default function Logs() {
  const { t } = useTranslation();
  const [kind, setKind] = useState<Kind>('system');
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [range, setRange] = useState<Range>({});
  const [live, setLive] = useState(false);
  const [view, setView] = useState<'rows' | 'rpc'>('rows');
  const query = useInfiniteQuery({
    queryKey: ['logs', kind, filters, range],
    // While live, new rows come from the stream: refetching would only move the stream's starting point.
    refetchOnWindowFocus: !live,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const params = new URLSearchParams({ limit: '200', ...filters, ...range });
      if (pageParam) params.set('cursor', pageParam);
      return api<Page<Row>>(`/logs/${kind}?${params.toString()}`, { signal });
    },
    getNextPageParam: (last) => last.next_cursor,
  });

  const newest = query.data?.pages[0]?.items[0]?.id;
  const loaded = query.isSuccess;
  const tail = useLiveRows<Row>(live && loaded ? streamPath(kind, filters, newest) : null, rowId);
  const pageRows = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);
  // Streamed rows newer than the first page go on top; older ones are in the pages already.
  const rows = useMemo(() => [...tail.rows.filter((r) => newest === undefined || r.id > newest), ...pageRows], [tail.rows, pageRows, newest]);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const loadMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  function applyFilters(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const values = Object.fromEntries([...new FormData(e.currentTarget)].filter(([, v]) => v !== '')) as Record<string, string>;
    const { rest, range: r } = rangeOf(values);
    tail.reset();
    setFilters(rest);
    setRange(r);
  }

  function chooseKind(k: Kind) {
    tail.reset();
    setKind(k);
    setFilters({});
    setRange({});
    setView('rows');
  }

  const columns: Record<Kind, Column<Row>[]> = {
    system: [
      { key: 'level', header: t('logs.level'), cell: (r) => String(r['level']) },
      { key: 'msg', header: t('logs.message'), cell: (r) => String(r['msg']) },
    ],
    operations: [
      { key: 'actor', header: t('logs.actor'), cell: (r) => String(r['actor_name'] ?? r['actor_type']) },
      { key: 'action', header: t('logs.action'), cell: (r) => String(r['action']) },
      { key: 'outcome', header: t('logs.outcome'), cell: (r) => String(r['outcome']) },
    ],
    mcp: [
      { key: 'server', header: t('logs.server'), cell: (r) => String(r['server']) },
      { key: 'direction', header: t('logs.direction'), cell: (r) => String(r['direction']) },
      { key: 'method', header: t('logs.method'), cell: (r) => methodWithTarget(r['method'], r['payload']) },
      { key: 'caller', header: t('logs.caller'), cell: (r) => String(r['caller'] ?? '') },
      { key: 'outcome', header: t('logs.outcome'), cell: (r) => String(r['outcome'] ?? '') },
      { key: 'duration', header: t('logs.duration'), numeric: true, cell: (r) => (r['duration_ms'] == null ? '' : `${formatNumber(r['duration_ms'] as number)} ms`) },
    ],
  };

  return (
    <>
      <h1>{t('logs.title')}</h1>
      <div className="tabs" role="tablist" aria-label={t('logs.title')}>
        {(['system', 'operations', 'mcp'] as const).map((k) => (
          <button key={k} type="button" role="tab" aria-selected={kind === k} aria-controls="log-panel" onClick={() => chooseKind(k)}>
            {t(`logs.${k}`)}
          </button>
        ))}
      </div>
      <div id="log-panel" role="tabpanel">
        <form className="filters" key={kind} onSubmit={applyFilters}>
          {FILTERS[kind].map((f) => (
            <div className="field" key={f.name}>
              <label htmlFor={`filter-${f.name}`}>{t(f.label as 'logs.level')}</label>
              {f.options ? (
                <select id={`filter-${f.name}`} name={f.name} defaultValue="">
                  <option value="">{t('logs.any')}</option>
                  {f.options.map((o) => <option key={o} value={o}>{o}</option>)}
                </select>
              ) : (
                <input id={`filter-${f.name}`} name={f.name} />
              )}
            </div>
          ))}
          <TimeRange />
          <button type="submit">{t('logs.search')}</button>
          <label className="live">
            <input type="checkbox" checked={live} onChange={(e) => { tail.reset(); setLive(e.target.checked); }} /> {t('logs.live')}
          </label>
          <LiveBadge state={tail.state} />
        </form>
        {kind === 'mcp' && (
          <div className="view-switch" role="group" aria-label={t('logs.view')}>
            <button type="button" aria-pressed={view === 'rows'} onClick={() => setView('rows')}>{t('logs.viewRows')}</button>
            <button type="button" aria-pressed={view === 'rpc'} onClick={() => setView('rpc')}>{t('logs.viewRpc')}</button>
          </div>
        )}
        <QueryView query={query} isEmpty={() => rows.length === 0} empty={t('logs.empty')}>
          {() => kind === 'mcp' && view === 'rpc' ? <JsonRpcViewer rows={rows as unknown as McpRow[]} idPrefix="logs-rpc" /> : (
            <>
              <VirtualTable
                caption={t(`logs.${kind}`)}
                rows={rows}
                rowKey={(r) => r.id}
                columns={[{ key: 'time', header: t('logs.time'), cell: (r) => <time dateTime={r.time}>{formatTime(r.time)}</time> }, ...columns[kind]]}
                onNearEnd={loadMore}
              />
              {query.isFetchingNextPage && <p className="muted" role="status">{t('state.loading')}</p>}
            </>
          )}
        </QueryView>
      </div>
    </>
  );
}
