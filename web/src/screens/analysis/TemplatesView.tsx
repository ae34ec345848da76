import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { formatNumber, formatTime } from '../../i18n/format';
import { DataTable } from '../../ui/DataTable';
import { MoreNotShown } from '../../ui/MoreNotShown';
import { QueryView } from '../../ui/States';
import { analyzerApi, type Inputs } from './api';
import { Notes } from './Sources';

/** Templates mined from the inputs (Drain, default parameters): the most frequent first. */
export function TemplatesView({ inputs }: { inputs: Inputs }) {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['analysis', 'templates', inputs], queryFn: () => analyzerApi.templates(inputs), retry: false });
  return (
    <QueryView query={q} isEmpty={(d) => d.templates.length === 0} empty={t('analysis.noEntries')}>
      {(d) => (
        <>
          <p className="muted">{t('analysis.templatesSummary', { n: formatNumber(d.total_templates), entries: formatNumber(d.entries) })}</p>
          <DataTable caption={t('analysis.templates')} rows={d.templates} rowKey={(x) => x.id} columns={[
            { key: 'template', header: t('analysis.template'), cell: (x) => <code className="template">{x.template}</code> },
            { key: 'count', header: t('analysis.count'), numeric: true, cell: (x) => formatNumber(x.count) },
            { key: 'first', header: t('analysis.firstSeen'), cell: (x) => formatTime(x.first_seen) },
            { key: 'last', header: t('analysis.lastSeen'), cell: (x) => formatTime(x.last_seen) },
            { key: 'example', header: t('analysis.example'), cell: (x) => <span className="example">{x.example}</span> },
          ]} />
          <MoreNotShown count={d.omitted} />
          <Notes notes={d.notes} />
        </>
      )}
    </QueryView>
  );
}
