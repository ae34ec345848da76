import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import type { CreatedKey } from './api';
import { ApiKeys } from './ApiKeys';
import { Catalogue } from './Catalogue';
import { ClientConfigs } from './ClientConfigs';
import { Sessions } from './Sessions';

/** The MCP gateway: its tool catalogue (approve quarantined tools), API keys for clients, the open client sessions, client configs. */
export default function Gateway() {
  const { t } = useTranslation();
  const { can } = useSession();
  const [created, setCreated] = useState<CreatedKey | null>(null);
  return (
    <>
      <h1>{t('gateway.title')}</h1>
      <Catalogue />
      {can('api_keys:write') && <ApiKeys created={created} onCreated={setCreated} />}
      <Sessions />
      <ClientConfigs apiKey={created?.key ?? null} />
    </>
  );
}
