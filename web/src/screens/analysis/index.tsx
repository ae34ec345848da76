import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearch } from 'wouter';
import { useSession } from '../../api/session';
import { type Tab, Tabs } from '../../ui/Tabs';
import type { CompareParams, Inputs, SearchParams } from './api';
import { CompareView } from './CompareView';
import { ExportView } from './ExportView';
import { InputsForm } from './InputsForm';
import { SearchView } from './SearchView';
import { Summary } from './Summary';
import { TemplatesView } from './TemplatesView';

type View = 'summary' | 'templates' | 'compare' | 'search' | 'export';

/**
 * Log analysis over files under the log roots (e.g. downloaded from storage: `?file=` preselects them)
 * or pasted text: summary with histogram, templates, compare two windows, search, export a report.
 */
export default function Analysis() {
  const { t } = useTranslation();
  const { can } = useSession();
  const query = useSearch();
  const initialFiles = useMemo(() => new URLSearchParams(query).getAll('file'), [query]);
  const [inputs, setInputs] = useState<Inputs | null>(null);
  const [view, setView] = useState<View>('summary');
  // Kept here, so a view's question survives switching tabs.
  const [search, setSearch] = useState<SearchParams | null>(null);
  const [compare, setCompare] = useState<CompareParams | null>(null);
  const views: View[] = ['summary', 'templates', 'compare', 'search', ...(can('logs:export') ? (['export'] as const) : [])];
  const tabs: Tab<View>[] = views.map((v) => ({ key: v, label: t(`analysis.view_${v}`) }));
  return (
    <>
      <h1>{t('analysis.title')}</h1>
      <InputsForm key={query} initialFiles={initialFiles} onApply={setInputs} />
      {inputs === null ? <p className="muted">{t('analysis.pickInputs')}</p> : (
        <Tabs label={t('analysis.views')} tabs={tabs} selected={view} onSelect={setView}>
          {view === 'summary' && <Summary inputs={inputs} />}
          {view === 'templates' && <TemplatesView inputs={inputs} />}
          {view === 'compare' && <CompareView inputs={inputs} params={compare} setParams={setCompare} />}
          {view === 'search' && <SearchView inputs={inputs} params={search} setParams={setSearch} />}
          {view === 'export' && <ExportView inputs={inputs} search={search} compare={compare} />}
        </Tabs>
      )}
    </>
  );
}
