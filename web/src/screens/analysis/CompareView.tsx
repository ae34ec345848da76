import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../i18n/format';
import { DataTable } from '../../ui/DataTable';
import { MoreNotShown } from '../../ui/MoreNotShown';
import { QueryView } from '../../ui/States';
import { analyzerApi, type Changes, type CompareParams, type Inputs, type WindowStats } from './api';
import { Notes } from './Sources';

function ChangeTable({ title, changes }: { title: string; changes: Changes }) {
  const { t } = useTranslation();
  return (
    <section>
      <h2>{title} ({formatNumber(changes.total)})</h2>
      {changes.items.length === 0 ? <p className="muted">{t('analysis.none')}</p> : (
        <DataTable caption={title} rows={changes.items} rowKey={(c) => c.id} columns={[
          { key: 'template', header: t('analysis.template'), cell: (c) => <code className="template">{c.template}</code> },
          { key: 'baseline', header: t('analysis.baseline'), numeric: true, cell: (c) => formatNumber(c.baseline) },
          { key: 'incident', header: t('analysis.incident'), numeric: true, cell: (c) => formatNumber(c.incident) },
          { key: 'ratio', header: t('analysis.ratio'), numeric: true, cell: (c) => (c.ratio == null ? '—' : `×${formatNumber(c.ratio, 1)}`) },
          { key: 'evidence', header: t('analysis.evidence'), cell: (c) => <ul className="evidence">{c.evidence.map((e, i) => <li key={i}><code>{e}</code></li>)}</ul> },
        ]} />
      )}
      <MoreNotShown count={changes.omitted} />
    </section>
  );
}

function WindowFacts({ label, w }: { label: string; w: WindowStats }) {
  const { t } = useTranslation();
  return (
    <div className="card">
      <h2>{label}</h2>
      <p>{t('analysis.windowFacts', { entries: formatNumber(w.entries), errors: formatNumber(w.errors), rate: formatNumber(w.error_rate * 100, 1) })}</p>
    </div>
  );
}

function CompareForm({ initial, onCompare }: { initial: CompareParams | null; onCompare: (p: CompareParams) => void }) {
  const { t } = useTranslation();
  const id = useId();
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const v = (n: string) => String(f.get(n) ?? '').trim();
    const baseline = v('bfrom') && v('bto') ? { from: v('bfrom'), to: v('bto') } : undefined;
    onCompare({ incident: { from: v('ifrom'), to: v('ito') }, baseline });
  }
  const initialValue: Record<string, string | undefined> = { ifrom: initial?.incident.from, ito: initial?.incident.to, bfrom: initial?.baseline?.from, bto: initial?.baseline?.to };
  const input = (name: string, label: string, required = false) => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>{label}{required ? ' *' : ''}</label>
      <input id={`${id}-${name}`} name={name} required={required} placeholder="2026-12-01T12:00:00Z" defaultValue={initialValue[name]} />
    </div>
  );
  return (
    <form className="filters" onSubmit={submit}>
      {input('ifrom', t('analysis.incidentFrom'), true)}
      {input('ito', t('analysis.incidentTo'), true)}
      {input('bfrom', t('analysis.baselineFrom'))}
      {input('bto', t('analysis.baselineTo'))}
      <button type="submit" className="primary">{t('analysis.compare')}</button>
    </form>
  );
}

/** An incident window against a baseline (default: everything before it): new, grown and vanished templates. */
export function CompareView({ inputs, params, setParams }: { inputs: Inputs; params: CompareParams | null; setParams: (p: CompareParams) => void }) {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['analysis', 'compare', inputs, params], queryFn: () => analyzerApi.compare(inputs, params!), enabled: params !== null, retry: false });
  return (
    <>
      <p className="muted">{t('analysis.compareHint')}</p>
      <CompareForm initial={params} onCompare={setParams} />
      {params && (
        <QueryView query={q}>
          {(d) => (
            <>
              <div className="cards">
                <WindowFacts label={t('analysis.baseline')} w={d.windows.baseline} />
                <WindowFacts label={t('analysis.incident')} w={d.windows.incident} />
              </div>
              <ChangeTable title={t('analysis.newTemplates')} changes={d.new_templates} />
              <ChangeTable title={t('analysis.grownTemplates')} changes={d.grown_templates} />
              <ChangeTable title={t('analysis.vanishedTemplates')} changes={d.vanished_templates} />
              <Notes notes={d.notes} />
            </>
          )}
        </QueryView>
      )}
    </>
  );
}
