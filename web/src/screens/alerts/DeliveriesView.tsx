import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { DataTable } from '../../ui/DataTable';
import { QueryView } from '../../ui/States';
import { notifyApi } from './notify-api';

/** The delivery log: the last 100 messages queued to channels, refreshed every 5 s. */
export function DeliveriesView() {
  const { t } = useTranslation();
  const list = useQuery({ queryKey: ['notify', 'deliveries'], queryFn: notifyApi.deliveries, refetchInterval: 5_000 });
  const channels = useQuery({ queryKey: ['notify', 'channels'], queryFn: notifyApi.channels });
  const nameOf = (id: string) => channels.data?.items.find((c) => c.id === id)?.name ?? id;
  return (
    <QueryView query={list} isEmpty={(l) => l.items.length === 0} empty={t('notify.noDeliveries')}>
      {(l) => (
        <DataTable
          caption={t('notify.deliveries')}
          rows={l.items}
          rowKey={(d) => d.id}
          columns={[
            { key: 'time', header: t('notify.time'), cell: (d) => new Date(d.created_at).toLocaleString() },
            { key: 'channel', header: t('notify.channel'), cell: (d) => nameOf(d.channel_id) },
            { key: 'title', header: t('notify.title'), cell: (d) => d.title },
            { key: 'severity', header: t('notify.severity'), cell: (d) => d.severity },
            { key: 'status', header: t('notify.statusHeader'), cell: (d) => t(`notify.status.${d.status}`) },
            { key: 'attempts', header: t('notify.attempts'), cell: (d) => String(d.attempts) },
            { key: 'error', header: t('notify.lastError'), cell: (d) => (d.last_error ? `${d.last_error}${d.last_error_code ? ` (${d.last_error_code})` : ''}` : '—') },
          ]}
        />
      )}
    </QueryView>
  );
}
