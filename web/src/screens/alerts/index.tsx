import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { Tabs } from '../../ui/Tabs';
import { AlertsView } from './AlertsView';
import { ChannelsView } from './ChannelsView';
import { DeliveriesView } from './DeliveriesView';
import { ReceiversView } from './ReceiversView';
import { RoutingView } from './RoutingView';
import { RulesView } from './RulesView';
import { SilencesView } from './SilencesView';

type View = 'alerts' | 'silences' | 'receivers' | 'rules' | 'routing' | 'channels' | 'deliveries';

/** Alerts received by webhook: firing and history (ack, resolve, notes), silences, receivers, inhibition, routing; notification channels and the delivery log (notify:read). */
export default function Alerts() {
  const { t } = useTranslation();
  const [view, setView] = useState<View>('alerts');
  const notify = useSession().can('notify:read');
  return (
    <>
      <h1>{t('alerts.title')}</h1>
      <Tabs
        label={t('alerts.views')}
        selected={view}
        onSelect={setView}
        tabs={[
          { key: 'alerts', label: t('alerts.tabAlerts') },
          { key: 'silences', label: t('alerts.tabSilences') },
          { key: 'receivers', label: t('alerts.tabReceivers') },
          { key: 'rules', label: t('alerts.tabRules') },
          { key: 'routing', label: t('alerts.tabRouting') },
          ...(notify ? [{ key: 'channels' as const, label: t('notify.tabChannels') }, { key: 'deliveries' as const, label: t('notify.tabDeliveries') }] : []),
        ]}
      >
        {view === 'alerts' && <AlertsView />}
        {view === 'silences' && <SilencesView />}
        {view === 'receivers' && <ReceiversView />}
        {view === 'rules' && <RulesView />}
        {view === 'routing' && <RoutingView />}
        {notify && view === 'channels' && <ChannelsView />}
        {notify && view === 'deliveries' && <DeliveriesView />}
      </Tabs>
    </>
  );
}
