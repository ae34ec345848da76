import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { ApiKeysLink } from './ApiKeysLink';
import { Backups } from './Backups';
import { SettingsEditor } from './SettingsEditor';
import { SystemInfo } from './SystemInfo';
import { Users } from './Users';

/** System: what runs (info), runtime settings (and those that need a restart), backups, users and their roles, where the API keys are. */
export default function System() {
  const { t } = useTranslation();
  const { can } = useSession();
  return (
    <>
      <h1>{t('system.title')}</h1>
      {can('system:read') && <SystemInfo />}
      {can('system:config:read') && <SettingsEditor />}
      {can('backups:read') && <Backups />}
      {can('users:read') && <Users />}
      {can('api_keys:read') && <ApiKeysLink />}
    </>
  );
}
