import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { DataTable } from '../../ui/DataTable';
import { DefinitionDiff } from '../../ui/DefinitionDiff';
import { ErrorNotice, QueryView } from '../../ui/States';
import { type GatewayTool, gatewayApi } from './api';

/** What changed in a quarantined tool's definition since it was approved, as a line diff. */
function Review({ tool }: { tool: GatewayTool }) {
  const { t } = useTranslation();
  if (!tool.review) return null;
  return (
    <details>
      <summary>{t('gateway.review')}</summary>
      <p id={`gw-diff-${tool.name}`} className="muted">{t('gateway.diffLegend')}</p>
      <DefinitionDiff before={tool.review.approved} after={tool.review.pending} labelledBy={`gw-diff-${tool.name}`} />
    </details>
  );
}

function Approve({ tool }: { tool: GatewayTool }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const approve = useMutation({
    mutationFn: () => gatewayApi.approve(tool),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['gateway', 'tools'] }),
  });
  return (
    <>
      <button type="button" onClick={() => approve.mutate()} disabled={approve.isPending} aria-label={t('gateway.approveTool', { name: tool.name })}>
        {t('gateway.approve')}
      </button>
      {approve.isError && <ErrorNotice error={approve.error} />}
    </>
  );
}

/** The aggregated catalogue: gateway name, the server tool behind it, and its pin state. */
export function Catalogue() {
  const { t } = useTranslation();
  const { can } = useSession();
  const q = useQuery({ queryKey: ['gateway', 'tools'], queryFn: gatewayApi.catalogue, refetchInterval: 10_000 });
  return (
    <section aria-labelledby="gw-catalogue">
      <h2 id="gw-catalogue">{t('gateway.catalogue')}</h2>
      <QueryView query={q} isEmpty={(c) => c.items.length === 0} empty={t('gateway.noTools')}>
        {(c) => (
          <DataTable
            caption={t('gateway.catalogue')}
            rows={c.items}
            rowKey={(x) => x.name}
            columns={[
              { key: 'name', header: t('gateway.exposed'), cell: (x) => <code>{x.name}</code> },
              { key: 'full', header: t('gateway.fullName'), cell: (x) => <code>{x.full_name}</code> },
              { key: 'server', header: t('gateway.server'), cell: (x) => `${x.server}${x.running ? '' : ` (${t('gateway.stopped')})`}` },
              {
                key: 'state',
                header: t('gateway.state'),
                cell: (x) => (
                  <>
                    <span className={x.state === 'quarantined' ? 'state-error' : 'state-running'}>{t(`gateway.${x.state}`)}</span>
                    {x.flags.length > 0 && <span className="muted"> ({x.flags.join(', ')})</span>}
                    {x.state === 'quarantined' && <Review tool={x} />}
                  </>
                ),
              },
              { key: 'actions', header: t('gateway.actions'), cell: (x) => x.state === 'quarantined' && can('gateway:manage') && <Approve tool={x} /> },
            ]}
          />
        )}
      </QueryView>
    </section>
  );
}
