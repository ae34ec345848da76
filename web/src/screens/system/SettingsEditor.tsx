import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { formatTime } from '../../i18n/format';
import { DataTable } from '../../ui/DataTable';
import { ErrorNotice, QueryView } from '../../ui/States';
import { type RuntimeSetting, settingText, settingValue, systemApi } from './api';

/** Runtime settings: their values and sources; admins change one at a time (validated by the API). */
export function SettingsEditor() {
  const { t } = useTranslation();
  const settings = useQuery({ queryKey: ['system', 'settings'], queryFn: systemApi.settings });
  return (
    <section aria-labelledby="settings-heading">
      <h2 id="settings-heading">{t('system.settings')}</h2>
      <QueryView query={settings}>
        {(data) => (
          <>
            <DataTable
              caption={t('system.settings')}
              rows={data.runtime}
              rowKey={(s) => s.key}
              columns={[
                { key: 'key', header: t('system.key'), cell: (s) => <><code>{s.key}</code><br /><span className="muted">{s.description}</span></> },
                { key: 'value', header: t('system.value'), cell: (s) => <SettingValue setting={s} /> },
                { key: 'source', header: t('system.source'), cell: (s) => <>{s.source}{s.updated_by && <><br /><span className="muted">{t('system.updatedBy', { name: s.updated_by, time: formatTime(s.updated_at) })}</span></>}</> },
              ]}
            />
            <h3>{t('system.restartRequired')}</h3>
            <p className="muted">{t('system.restartHint')}</p>
            <DataTable
              caption={t('system.restartRequired')}
              rows={data.restart_required}
              rowKey={(s) => s.name}
              columns={[
                { key: 'name', header: t('system.variable'), cell: (s) => <code>{s.name}</code> },
                { key: 'value', header: t('system.value'), cell: (s) => (s.secret ? t('system.secret') : settingText(s.value) || '—') },
                { key: 'source', header: t('system.source'), cell: (s) => s.source },
                { key: 'runtime', header: t('system.runtimeDefault'), cell: (s) => (s.runtime_setting ? <code>{s.runtime_setting}</code> : '—') },
              ]}
            />
          </>
        )}
      </QueryView>
    </section>
  );
}

/** The value, and for admins an input with Save. */
function SettingValue({ setting }: { setting: RuntimeSetting }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const queries = useQueryClient();
  // The user's unsaved text; otherwise the current value (which a restore or another admin may change).
  const [edited, setEdited] = useState<string | null>(null);
  const text = edited ?? settingText(setting.value);
  const save = useMutation({
    mutationFn: (value: unknown) => systemApi.updateSettings({ [setting.key]: value }),
    onSuccess: (data) => {
      queries.setQueryData(['system', 'settings'], data);
      setEdited(null);
    },
  });
  if (!can('system:config:write')) return <code>{settingText(setting.value) || '—'}</code>;
  const id = `setting-${setting.key.replace(/\W/g, '-')}`;

  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate(settingValue(text));
  }

  return (
    <form onSubmit={submit} className="actions">
      <label htmlFor={id} className="visually-hidden">{setting.key}</label>
      <input id={id} value={text} onChange={(e) => setEdited(e.target.value)} aria-describedby={`${id}-default`} />
      <button type="submit" disabled={save.isPending}>{t('system.save')}</button>
      <span id={`${id}-default`} className="muted">{t('system.default', { value: settingText(setting.default) || '—' })}</span>
      {save.isError && <ErrorNotice error={save.error} />}
      {save.isSuccess && <span role="status">{t('system.saved')}</span>}
    </form>
  );
}
