import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { ConfirmDialog } from '../../ui/Dialog';
import { DataTable } from '../../ui/DataTable';
import { ErrorNotice, QueryView } from '../../ui/States';
import { type Channel, type ChannelKind, channelKinds, type FieldSpec, kindFields, notifyApi, secretRef, settingsFrom } from './notify-api';

function SettingField({ field, id, secrets }: { field: FieldSpec; id: string; secrets: string[] }) {
  const { t } = useTranslation();
  const fid = `${id}-${field.name}`;
  const label = `${t(`notify.field.${field.name}`, { defaultValue: field.name })}${field.required ? ' *' : ''}`;
  const common = { id: fid, name: field.name, required: field.required };
  let control;
  if (field.type === 'secret') {
    control = (
      <select {...common} defaultValue="" aria-describedby={`${id}-secret-hint`}>
        <option value="">{t('notify.none')}</option>
        {secrets.map((n) => <option key={n} value={n}>{secretRef(n)}</option>)}
      </select>
    );
  } else if (field.type === 'select') {
    control = (
      <select {...common} defaultValue={field.required ? field.options![0] : ''}>
        {!field.required && <option value="">{t('notify.default')}</option>}
        {field.options!.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    );
  } else if (field.type === 'textarea') {
    control = <textarea {...common} rows={4} />;
  } else {
    control = <input {...common} type={field.type === 'number' ? 'number' : field.type === 'url' ? 'url' : 'text'} />;
  }
  return <div className="field"><label htmlFor={fid}>{label}</label>{control}</div>;
}

function CreateChannel() {
  const { t } = useTranslation();
  const id = useId();
  const queries = useQueryClient();
  const [kind, setKind] = useState<ChannelKind>('webhook');
  const secrets = useQuery({ queryKey: ['secrets', 'names'], queryFn: notifyApi.secrets });
  const names = (secrets.data?.items ?? []).map((s) => s.name);
  const create = useMutation({ mutationFn: notifyApi.createChannel, onSuccess: () => queries.invalidateQueries({ queryKey: ['notify', 'channels'] }) });
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const text = (n: string) => String(f.get(n) ?? '').trim();
    create.mutate({
      name: text('name'),
      language: text('language') as 'en' | 'zh-CN',
      enabled: f.get('enabled') === 'on',
      ...(text('description') ? { description: text('description') } : {}),
      settings: settingsFrom(kind, text),
    }, { onSuccess: () => form.reset() });
  }
  return (
    <details className="card">
      <summary>{t('notify.create')}</summary>
      <form onSubmit={submit} aria-label={t('notify.create')}>
        <div className="field">
          <label htmlFor={`${id}-name`}>{t('notify.name')} *</label>
          <input id={`${id}-name`} name="name" required pattern="[a-z0-9][a-z0-9_\-]{0,62}" aria-describedby={`${id}-name-hint`} />
          <span id={`${id}-name-hint`} className="hint muted">{t('notify.nameHint')}</span>
        </div>
        <div className="field">
          <label htmlFor={`${id}-kind`}>{t('notify.kind')} *</label>
          <select id={`${id}-kind`} name="kind" value={kind} onChange={(e) => setKind(e.target.value as ChannelKind)}>
            {channelKinds.map((k) => <option key={k} value={k}>{t(`notify.kinds.${k}`)}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-language`}>{t('notify.language')}</label>
          <select id={`${id}-language`} name="language" defaultValue="en">
            <option value="en">English</option>
            <option value="zh-CN">简体中文</option>
          </select>
        </div>
        <fieldset key={kind}>
          <legend>{t('notify.settings', { kind: t(`notify.kinds.${kind}`) })}</legend>
          {kindFields[kind].map((field) => <SettingField key={field.name} field={field} id={id} secrets={names} />)}
          <p id={`${id}-secret-hint`} className="hint muted">{t('notify.secretHint')}</p>
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-description`}>{t('notify.description')}</label>
          <input id={`${id}-description`} name="description" maxLength={500} />
        </div>
        <div className="field">
          <label><input type="checkbox" name="enabled" defaultChecked /> {t('notify.enabled')}</label>
        </div>
        {create.error != null && <ErrorNotice error={create.error} />}
        {create.isSuccess && <p role="status">{t('notify.created', { name: create.data.name })}</p>}
        <button type="submit" className="primary" disabled={create.isPending}>{t('notify.save')}</button>
      </form>
    </details>
  );
}

/** What the last "Send test" gave: the delivery's status (and error), or the API's refusal. */
function TestOutcome({ test }: { test: ReturnType<typeof useTestMutation> }) {
  const { t } = useTranslation();
  if (test.error != null) return <div className="test-outcome"><ErrorNotice error={test.error} /></div>;
  if (!test.data) return null;
  const d = test.data;
  const error = d.last_error ? ` — ${d.last_error}${d.last_error_code ? ` (${d.last_error_code})` : ''}` : '';
  return <p role="status" className={d.status === 'failed' ? 'test-outcome notice error' : 'test-outcome notice'}>{t('notify.testResult', { name: d.channel, status: t(`notify.status.${d.status}`) })}{error}</p>;
}

const useTestMutation = () => {
  const queries = useQueryClient();
  return useMutation({ mutationFn: notifyApi.test, onSettled: () => queries.invalidateQueries({ queryKey: ['notify', 'deliveries'] }) });
};

/** Notification channels: where messages go (a vendor robot, a webhook, email), with a test message per channel. */
export function ChannelsView() {
  const { t } = useTranslation();
  const { can } = useSession();
  const queries = useQueryClient();
  const [deleting, setDeleting] = useState<Channel | null>(null);
  const list = useQuery({ queryKey: ['notify', 'channels'], queryFn: notifyApi.channels });
  const test = useTestMutation();
  const remove = useMutation({ mutationFn: notifyApi.deleteChannel, onSuccess: () => { setDeleting(null); void queries.invalidateQueries({ queryKey: ['notify', 'channels'] }); } });
  return (
    <>
      {can('notify:manage') && <CreateChannel />}
      <TestOutcome test={test} />
      <QueryView query={list} isEmpty={(l) => l.items.length === 0} empty={t('notify.empty')}>
        {(l) => (
          <DataTable
            caption={t('notify.channels')}
            rows={l.items}
            rowKey={(c) => c.id}
            columns={[
              { key: 'name', header: t('notify.name'), cell: (c) => c.name },
              { key: 'kind', header: t('notify.kind'), cell: (c) => t(`notify.kinds.${c.kind}`, { defaultValue: c.kind }) },
              { key: 'language', header: t('notify.language'), cell: (c) => c.language },
              { key: 'enabled', header: t('notify.enabled'), cell: (c) => (c.enabled ? t('notify.yes') : t('notify.no')) },
              { key: 'act', header: t('alerts.actions'), cell: (c) => (
                <span className="actions">
                  {can('notify:send') && (
                    <button type="button" onClick={() => test.mutate(c.id)} disabled={test.isPending} aria-label={t('notify.testOne', { name: c.name })}>{t('notify.test')}</button>
                  )}
                  {can('notify:manage') && (
                    <button type="button" className="danger" onClick={() => setDeleting(c)} aria-label={t('notify.deleteOne', { name: c.name })}>{t('notify.delete')}</button>
                  )}
                </span>
              ) },
            ]}
          />
        )}
      </QueryView>
      {deleting && (
        <ConfirmDialog
          title={t('notify.deleteTitle', { name: deleting.name })}
          message={t('notify.deleteMessage')}
          confirmLabel={t('notify.delete')}
          onConfirm={() => remove.mutate(deleting.id)}
          onClose={() => { setDeleting(null); remove.reset(); }}
          pending={remove.isPending}
          error={remove.error}
        />
      )}
    </>
  );
}
