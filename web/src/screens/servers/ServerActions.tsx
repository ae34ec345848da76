import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { ErrorNotice } from '../../ui/States';
import { serversApi } from './api';

/** Start / stop / restart, for those who may operate servers (nothing is shown to the others). */
export function ServerActions({ id, name, state }: { id: string; name: string; state: string }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const queries = useQueryClient();
  const act = useMutation({
    mutationFn: (verb: 'start' | 'stop' | 'restart') => serversApi.act(id, verb),
    onSettled: () => queries.invalidateQueries({ queryKey: ['servers'] }),
  });
  if (!can('servers:operate')) return null;
  const running = state === 'running' || state === 'starting';
  return (
    <div className="actions">
      {!running && <button type="button" disabled={act.isPending} onClick={() => act.mutate('start')} aria-label={`${t('servers.start')} ${name}`}>{t('servers.start')}</button>}
      {running && <button type="button" disabled={act.isPending} onClick={() => act.mutate('stop')} aria-label={`${t('servers.stop')} ${name}`}>{t('servers.stop')}</button>}
      {running && <button type="button" disabled={act.isPending} onClick={() => act.mutate('restart')} aria-label={`${t('servers.restart')} ${name}`}>{t('servers.restart')}</button>}
      {act.isError && <ErrorNotice error={act.error} />}
    </div>
  );
}
