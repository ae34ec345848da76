import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { FORMATS, type Inputs } from './api';
import { FromStorage } from './FromStorage';

/** Files and globs under the log roots (one per line) and/or pasted text, and filters on the entries. */
export function InputsForm({ initialFiles, onApply }: { initialFiles: string[]; onApply: (inputs: Inputs) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const { can } = useSession();
  const [files, setFiles] = useState(initialFiles.join('\n'));
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const text = (name: string) => String(f.get(name) ?? '').trim() || undefined;
    const list = files.split('\n').map((l) => l.trim()).filter(Boolean);
    const inline = String(f.get('text') ?? '');
    onApply({
      files: list.length ? list : undefined,
      text: inline.trim() ? inline : undefined,
      format: text('format') as Inputs['format'],
      timezone: text('timezone'),
      from: text('from'),
      to: text('to'),
      contains: text('contains'),
    });
  }
  const input = (name: string, label: string, placeholder?: string) => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input id={`${id}-${name}`} name={name} placeholder={placeholder} />
    </div>
  );
  return (
    <form className="card analysis-inputs" onSubmit={submit} aria-label={t('analysis.inputs')}>
      <div className="field">
        <label htmlFor={`${id}-files`}>{t('analysis.files')}</label>
        <textarea id={`${id}-files`} name="files" rows={3} value={files} onChange={(e) => setFiles(e.target.value)} aria-describedby={`${id}-files-hint`} />
        <span id={`${id}-files-hint`} className="hint muted">{t('analysis.filesHint')}</span>
      </div>
      {can('storage:read') && <FromStorage onAdd={(glob) => setFiles((v) => (v.trim() ? `${v.trimEnd()}\n${glob}` : glob))} />}
      <div className="field">
        <label htmlFor={`${id}-text`}>{t('analysis.text')}</label>
        <textarea id={`${id}-text`} name="text" rows={3} />
      </div>
      <div className="filters">
        <div className="field">
          <label htmlFor={`${id}-format`}>{t('analysis.format')}</label>
          <select id={`${id}-format`} name="format" defaultValue="">
            <option value="">{t('analysis.detect')}</option>
            {FORMATS.map((f) => <option key={f} value={f}>{f}</option>)}
          </select>
        </div>
        {input('timezone', t('analysis.timezone'), 'UTC, +08:00')}
        {input('from', t('analysis.from'), t('analysis.timeHint'))}
        {input('to', t('analysis.to'), t('analysis.timeHint'))}
        {input('contains', t('analysis.contains'))}
      </div>
      <button type="submit" className="primary">{t('analysis.apply')}</button>
    </form>
  );
}
