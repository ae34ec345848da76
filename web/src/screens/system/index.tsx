import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { Backups } from './Backups';
import { SettingsEditor } from './SettingsEditor';
import { Users } from './Users';

/** System: runtime settings (and those that need a restart), backups, and users with their roles. */
export default function System() {
  const { t } = useTranslation();
  const { can } = useSession();
  return (
    <>
      <h1>{t('system.title')}</h1>
      {can('system:config:read') && <SettingsEditor />}
      {can('backups:read') && <Backups />}
      {can('users:read') && <Users />}
    </>
  );
}
