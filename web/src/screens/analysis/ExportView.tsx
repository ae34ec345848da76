import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes } from '../../i18n/format';
import { ErrorNotice } from '../../ui/States';
import { analyzerApi, type Inputs, type ReportFormat, type ReportKind } from './api';

const KINDS: ReportKind[] = ['analyze', 'templates'];
const FORMATS: ReportFormat[] = ['markdown', 'json', 'csv'];

/** Runs the summary or the templates again and saves them as a report; a link downloads it. */
export function ExportView({ inputs }: { inputs: Inputs }) {
  const { t } = useTranslation();
  const id = useId();
  const save = useMutation({ mutationFn: (v: { kind: ReportKind; format: ReportFormat }) => analyzerApi.exportReport(v.kind, inputs, v.format) });
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
            {KINDS.map((k) => <option key={k} value={k}>{t(`analysis.kind_${k}`)}</option>)}
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
