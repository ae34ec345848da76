import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { storageApi } from './api';
import { FileBrowser } from './FileBrowser';
import { Profiles } from './Profiles';

/** Object storage: profiles (test the connection) and a file browser by date that downloads logs. */
export default function Storage() {
  const { t } = useTranslation();
  const list = useQuery({ queryKey: ['storage', 'profiles'], queryFn: storageApi.profiles });
  const profiles = list.data?.items ?? [];
  return (
    <>
      <h1>{t('storage.title')}</h1>
      <Profiles />
      {profiles.length > 0 && <FileBrowser key={profiles.map((p) => p.name).join(',')} profiles={profiles} />}
    </>
  );
}
