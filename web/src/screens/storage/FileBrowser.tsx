import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { formatBytes, formatNumber, formatTime } from '../../i18n/format';
import { DataTable } from '../../ui/DataTable';
import { MoreNotShown } from '../../ui/MoreNotShown';
import { QueryView } from '../../ui/States';
import { type ObjectList, type ObjectQuery, type Profile, storageApi } from './api';
import { Downloader } from './Downloader';

const PAGE_SIZES = [10, 50, 200, 1000] as const;

function BrowseForm({ id, onBrowse }: { id: string; onBrowse: (q: ObjectQuery) => void }) {
  const { t } = useTranslation();
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const text = (name: string) => String(f.get(name) ?? '').trim() || undefined;
    onBrowse({ prefix: text('prefix'), from: text('from'), to: text('to'), glob: text('glob'), limit: Number(f.get('limit')) });
  }
  const input = (name: string, label: string, type = 'text') => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input id={`${id}-${name}`} name={name} type={type} />
    </div>
  );
  return (
    <form className="filters" onSubmit={submit}>
      {input('prefix', t('storage.browsePrefix'))}
      {input('from', t('storage.from'), 'date')}
      {input('to', t('storage.to'), 'date')}
      {input('glob', t('storage.glob'))}
      <div className="field">
        <label htmlFor={`${id}-limit`}>{t('storage.pageSize')}</label>
        <select id={`${id}-limit`} name="limit" defaultValue="200">
          {PAGE_SIZES.map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
      </div>
      <button type="submit" className="primary">{t('storage.browse')}</button>
    </form>
  );
}

/** One page of objects with check boxes; the selection survives paging. */
function ObjectPage({ page, selected, onToggle }: { page: ObjectList; selected: Set<string>; onToggle: (keys: string[], on: boolean) => void }) {
  const { t } = useTranslation();
  const keys = page.items.map((o) => o.key);
  const all = keys.length > 0 && keys.every((k) => selected.has(k));
  return (
    <>
      <p className="muted">{t('storage.pageSummary', { n: formatNumber(page.items.length), bytes: formatBytes(page.total_bytes) })}</p>
      <label className="check">
        <input type="checkbox" checked={all} onChange={(e) => onToggle(keys, e.target.checked)} /> {t('storage.selectPage')}
      </label>
      <DataTable
        caption={t('storage.objects')}
        rows={page.items}
        rowKey={(o) => o.key}
        columns={[
          { key: 'pick', header: <span className="visually-hidden">{t('storage.select')}</span>, cell: (o) => <input type="checkbox" aria-label={t('storage.selectKey', { key: o.key })} checked={selected.has(o.key)} onChange={(e) => onToggle([o.key], e.target.checked)} /> },
          { key: 'key', header: t('storage.key'), cell: (o) => <code>{o.key}</code> },
          { key: 'date', header: t('storage.date'), cell: (o) => o.date ?? '—' },
          { key: 'size', header: t('storage.size'), numeric: true, cell: (o) => formatBytes(o.size) },
          { key: 'modified', header: t('storage.modified'), cell: (o) => formatTime(o.last_modified) },
        ]}
      />
      <MoreNotShown count={page.left_out} atLeast={page.left_out_is_lower_bound} />
      {page.hint && <p className="muted">{page.hint}</p>}
    </>
  );
}

/** Objects of one profile by prefix, date range and glob, a page at a time; select and download. */
export function FileBrowser({ profiles }: { profiles: Profile[] }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const id = useId();
  const [profile, setProfile] = useState(profiles[0]?.name ?? '');
  const [query, setQuery] = useState<ObjectQuery | null>(null);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const cursor = cursors[cursors.length - 1] ?? null;
  const objects = useQuery({
    queryKey: ['storage', 'objects', profile, query, cursor],
    queryFn: () => storageApi.objects(profile, query!, cursor),
    enabled: query !== null && profile !== '',
    retry: false,
  });

  function browse(q: ObjectQuery) {
    setQuery(q);
    setCursors([null]);
    setSelected(new Set());
  }
  function toggle(keys: string[], on: boolean) {
    setSelected((s) => {
      const next = new Set(s);
      for (const k of keys) if (on) next.add(k); else next.delete(k);
      return next;
    });
  }

  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('storage.files')}</h2>
      <div className="field">
        <label htmlFor={`${id}-profile`}>{t('storage.profile')}</label>
        <select id={`${id}-profile`} value={profile} onChange={(e) => { setProfile(e.target.value); setQuery(null); setSelected(new Set()); }}>
          {profiles.map((p) => <option key={p.id} value={p.name}>{p.name}</option>)}
        </select>
      </div>
      <BrowseForm id={id} onBrowse={browse} />
      {query && (
        <QueryView query={objects} isEmpty={(d) => d.items.length === 0} empty={t('storage.noObjects')}>
          {(page) => (
            <>
              <ObjectPage page={page} selected={selected} onToggle={toggle} />
              <nav className="actions pager" aria-label={t('storage.pages')}>
                <button type="button" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>{t('storage.previous')}</button>
                <span className="muted">{t('storage.pageN', { n: cursors.length })}</span>
                <button type="button" disabled={!page.next_cursor} onClick={() => setCursors((c) => [...c, page.next_cursor])}>{t('storage.next')}</button>
              </nav>
            </>
          )}
        </QueryView>
      )}
      {can('storage:download') && query && <Downloader profile={profile} keys={[...selected]} />}
    </section>
  );
}
