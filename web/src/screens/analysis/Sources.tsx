import { useTranslation } from 'react-i18next';
import { formatBytes, formatNumber } from '../../i18n/format';
import { DataTable } from '../../ui/DataTable';
import type { Source } from './api';

/** The files (or `inline`) an analysis read, with their detected format. */
export function Sources({ sources }: { sources: Source[] }) {
  const { t } = useTranslation();
  return (
    <details className="card">
      <summary>{t('analysis.sources', { n: sources.length })}</summary>
      <DataTable caption={t('analysis.sources', { n: sources.length })} rows={sources} rowKey={(s) => s.name} columns={[
        { key: 'name', header: t('analysis.source'), cell: (s) => <code>{s.name}</code> },
        { key: 'format', header: t('analysis.format'), cell: (s) => s.format },
        { key: 'lines', header: t('analysis.lines'), numeric: true, cell: (s) => formatNumber(s.lines) },
        { key: 'bytes', header: t('analysis.bytes'), numeric: true, cell: (s) => formatBytes(s.bytes) },
      ]} />
    </details>
  );
}

/** What the API could not read or cut, as it says it. */
export function Notes({ notes }: { notes: string[] }) {
  const { t } = useTranslation();
  if (notes.length === 0) return null;
  return (
    <div className="notice info" role="note" aria-label={t('analysis.notes')}>
      <ul>{notes.map((n) => <li key={n}>{n}</li>)}</ul>
    </div>
  );
}
