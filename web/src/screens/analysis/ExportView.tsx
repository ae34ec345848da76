import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes } from '../../i18n/format';
import { ErrorNotice } from '../../ui/States';
import { analyzerApi, type CompareParams, type Inputs, type ReportFormat, type ReportKind, type SearchParams } from './api';

const FORMATS: ReportFormat[] = ['markdown', 'json', 'csv'];

/**
 * Runs an analysis again and saves it as a report (the summary, the templates, and the search or the
 * comparison once asked in their tabs); a link downloads it.
 */
export function ExportView({ inputs, search, compare }: { inputs: Inputs; search: SearchParams | null; compare: CompareParams | null }) {
  const { t } = useTranslation();
  const id = useId();
  const kinds: ReportKind[] = ['analyze', 'templates', ...(search ? (['search'] as const) : []), ...(compare ? (['compare'] as const) : [])];
  const paramsOf = (kind: ReportKind): object => (kind === 'search' ? { ...inputs, ...search } : kind === 'compare' ? { ...inputs, ...compare } : inputs);
  const save = useMutation({ mutationFn: (v: { kind: ReportKind; format: ReportFormat }) => analyzerApi.exportReport(v.kind, paramsOf(v.kind), v.format) });
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    save.mutate({ kind: f.get('kind') as ReportKind, format: f.get('format') as ReportFormat });
  }
  return (
    <>
      <form className="filters" onSubmit={submit}>
        <div className="field">
          <label htmlFor={`${id}-kind`}>{t('analysis.reportKind')}</label>
          <select id={`${id}-kind`} name="kind" defaultValue="analyze">
            {kinds.map((k) => <option key={k} value={k}>{t(`analysis.kind_${k}`)}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-format`}>{t('analysis.reportFormat')}</label>
          <select id={`${id}-format`} name="format" defaultValue="markdown">
            {FORMATS.map((f) => <option key={f} value={f}>{t(`analysis.format_${f}`)}</option>)}
          </select>
        </div>
        <button type="submit" className="primary" disabled={save.isPending}>{save.isPending ? t('analysis.exporting') : t('analysis.export')}</button>
      </form>
      {save.isError && <ErrorNotice error={save.error} />}
      {save.data && (
        <p className="notice info" role="status">
          {t('analysis.exported', { bytes: formatBytes(save.data.bytes) })}{' '}
          <a href={analyzerApi.reportUrl(save.data.name)} download={save.data.name}>{t('analysis.downloadReport', { name: save.data.name })}</a>
        </p>
      )}
    </>
  );
}
