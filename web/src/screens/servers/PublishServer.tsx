import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { CopyButton } from '../../ui/CopyButton';
import { ErrorNotice, QueryView } from '../../ui/States';
import { type Publication, serverConfigApi } from './config-api';

/** null when the server is not published: read from the list, so an unpublished server costs no 404. */
async function publicationOf(id: string): Promise<Publication | null> {
  const all = await serverConfigApi.publications();
  return all.items.find((p) => p.server_id === id) ?? null;
}

/**
 * Publishing the server to a remote WebSocket endpoint (mcp_pipe): the endpoint with its token redacted
 * (the token is kept in a secret), the live state, and publish / unpublish for those allowed.
 */
export function PublishServer({ id, name }: { id: string; name: string }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const queries = useQueryClient();
  const pub = useQuery({ queryKey: ['servers', id, 'publication'], queryFn: () => publicationOf(id), refetchInterval: 5000 });
  const refresh = () => queries.invalidateQueries({ queryKey: ['servers', id, 'publication'] });
  const publish = useMutation({ mutationFn: (endpoint: string) => serverConfigApi.publish(id, endpoint), gcTime: 0, onSuccess: refresh });
  const unpublish = useMutation({ mutationFn: () => serverConfigApi.unpublish(id), onSuccess: refresh });
  const write = can('publications:write');

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    publish.mutate(String(new FormData(form).get('endpoint') ?? '').trim(), { onSuccess: () => form.reset() });
  }

  return (
    <section aria-labelledby="publish-title">
      <h2 id="publish-title">{t('serverConfig.publishTitle')}</h2>
      <QueryView query={pub}>
        {(p) =>
          p ? (
            <>
              <dl className="facts">
                <dt>{t('serverConfig.endpoint')}</dt>
                <dd><code data-testid="publication-endpoint">{p.endpoint}</code> <CopyButton text={p.endpoint} label={t('serverConfig.copyEndpoint', { name })} /></dd>
                <dt>{t('servers.state')}</dt>
                <dd>{p.enabled ? (p.status?.state ?? (p.standby ? t('serverConfig.standby') : '…')) : t('serverConfig.disabled')}</dd>
                {p.status?.last_error && <><dt>{t('servers.lastError')}</dt><dd>{p.status.last_error}</dd></>}
                {p.token_secret && <><dt>{t('serverConfig.tokenSecret')}</dt><dd><code>{p.token_secret}</code></dd></>}
              </dl>
              {write && (
                <div className="actions">
                  <button type="button" onClick={() => unpublish.mutate()} disabled={unpublish.isPending}>{t('serverConfig.unpublish')}</button>
                </div>
              )}
              {unpublish.isError && <ErrorNotice error={unpublish.error} />}
            </>
          ) : (
            <p className="muted">{t('serverConfig.notPublished')}</p>
          )
        }
      </QueryView>
      {write && pub.data === null && (
        <form onSubmit={submit} autoComplete="off">
          <div className="field">
            <label htmlFor="publish-endpoint">{t('serverConfig.endpoint')} *</label>
            <input id="publish-endpoint" name="endpoint" required aria-describedby="publish-hint" spellCheck={false} />
            <span id="publish-hint" className="hint muted">{t('serverConfig.endpointHint')}</span>
          </div>
          {publish.isError && <ErrorNotice error={publish.error} />}
          <button type="submit" className="primary" disabled={publish.isPending}>{t('serverConfig.publish')}</button>
        </form>
      )}
    </section>
  );
}
