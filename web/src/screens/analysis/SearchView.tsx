import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber, formatTime } from '../../i18n/format';
import { MoreNotShown } from '../../ui/MoreNotShown';
import { QueryView } from '../../ui/States';
import { analyzerApi, type Hit, type Inputs, type SearchParams } from './api';
import { Notes } from './Sources';

/** The entry's text with its match in a <mark> (React text nodes: nothing from the log is parsed as HTML). */
export function Highlighted({ text, match }: { text: string; match: [number, number] }) {
  const [start, end] = match;
  if (end <= start || start >= text.length) return <>{text}</>;
  return <>{text.slice(0, start)}<mark>{text.slice(start, end)}</mark>{text.slice(end)}</>;
}

function HitView({ hit }: { hit: Hit }) {
  const { t } = useTranslation();
  return (
    <li className="hit">
      <p className="muted hit-where">
        <code>{hit.source}:{hit.line}</code> {hit.ts && <time dateTime={hit.ts}>{formatTime(hit.ts)}</time>} {hit.level}
      </p>
      <pre className="output hit-text" aria-label={t('analysis.matchAt', { source: hit.source, line: hit.line })}>
        {hit.before.map((l, i) => <span key={`b${i}`} className="context">{l}{'\n'}</span>)}
        <span className="hit-line"><Highlighted text={hit.text} match={hit.match} /></span>
        {hit.after.map((l, i) => <span key={`a${i}`} className="context">{'\n'}{l}</span>)}
      </pre>
    </li>
  );
}

function SearchForm({ initial, onSearch }: { initial: SearchParams | null; onSearch: (p: SearchParams) => void }) {
  const { t } = useTranslation();
  const id = useId();
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    onSearch({
      query: String(f.get('query') ?? ''),
      regex: f.get('regex') === 'on',
      case_sensitive: f.get('case') === 'on',
      context: Number(f.get('context') ?? 0),
      limit: 100,
    });
  }
  return (
    <form className="filters" onSubmit={submit} role="search">
      <div className="field">
        <label htmlFor={`${id}-q`}>{t('analysis.query')}</label>
        <input id={`${id}-q`} name="query" required maxLength={1000} defaultValue={initial?.query} />
      </div>
      <label className="check"><input type="checkbox" name="regex" defaultChecked={initial?.regex} /> {t('analysis.regex')}</label>
      <label className="check"><input type="checkbox" name="case" defaultChecked={initial?.case_sensitive} /> {t('analysis.caseSensitive')}</label>
      <div className="field">
        <label htmlFor={`${id}-ctx`}>{t('analysis.context')}</label>
        <input id={`${id}-ctx`} name="context" type="number" min={0} max={10} defaultValue={initial?.context ?? 0} />
      </div>
      <button type="submit" className="primary">{t('analysis.search')}</button>
    </form>
  );
}

/** Find entries by text or RE2 regex, with context lines; the match highlighted. */
export function SearchView({ inputs, params, setParams }: { inputs: Inputs; params: SearchParams | null; setParams: (p: SearchParams) => void }) {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['analysis', 'search', inputs, params], queryFn: () => analyzerApi.search(inputs, params!), enabled: params !== null, retry: false });
  return (
    <>
      <SearchForm initial={params} onSearch={setParams} />
      {params && (
        <QueryView query={q} isEmpty={(d) => d.hits.length === 0} empty={t('analysis.noMatches')}>
          {(d) => (
            <>
              <p role="status">{t('analysis.matches', { n: formatNumber(d.matches), entries: formatNumber(d.entries) })}</p>
              <ol className="hits">{d.hits.map((h) => <HitView key={`${h.source}:${h.line}`} hit={h} />)}</ol>
              <MoreNotShown count={d.omitted} />
              <Notes notes={d.notes} />
            </>
          )}
        </QueryView>
      )}
    </>
  );
}
