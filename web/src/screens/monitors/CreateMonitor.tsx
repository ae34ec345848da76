import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../../ui/States';
import { monitorsApi } from './api';

const KINDS = ['http', 'tcp', 'dns', 'postgres', 'redis', 'mcp', 'push'] as const;

/** Create a monitor (admins): name, kind, target, interval, failures before down. */
export function CreateMonitor() {
  const { t } = useTranslation();
  const id = useId();
  const qc = useQueryClient();
  const [pushUrl, setPushUrl] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: monitorsApi.create,
    onSuccess: (m) => {
      setPushUrl(m.push_url);
      void qc.invalidateQueries({ queryKey: ['monitors'] });
    },
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const kind = String(f.get('kind'));
    create.mutate({
      name: String(f.get('name')).trim(),
      check: { kind, target: kind === 'push' ? '' : String(f.get('target')).trim() },
      interval_seconds: Number(f.get('interval')),
      failures_before_down: Number(f.get('failures')),
    });
  };
  return (
    <form onSubmit={submit} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('monitors.create')}</h2>
      <div className="filters">
        <div className="field"><label htmlFor={`${id}-n`}>{t('monitors.name')} *</label><input id={`${id}-n`} name="name" required maxLength={100} /></div>
        <div className="field">
          <label htmlFor={`${id}-k`}>{t('monitors.kind')}</label>
          <select id={`${id}-k`} name="kind" defaultValue="http">{KINDS.map((k) => <option key={k} value={k}>{k}</option>)}</select>
        </div>
        <div className="field"><label htmlFor={`${id}-t`}>{t('monitors.target')}</label><input id={`${id}-t`} name="target" maxLength={4000} placeholder="https://example.internal/health" /></div>
        <div className="field"><label htmlFor={`${id}-i`}>{t('monitors.interval')}</label><input id={`${id}-i`} name="interval" type="number" min={5} max={86400} defaultValue={60} /></div>
        <div className="field"><label htmlFor={`${id}-f`}>{t('monitors.failures')}</label><input id={`${id}-f`} name="failures" type="number" min={1} max={100} defaultValue={3} /></div>
      </div>
      <button type="submit" disabled={create.isPending}>{t('monitors.createButton')}</button>
      {create.error && <ErrorNotice error={create.error} />}
      {pushUrl && <p role="status">{t('monitors.pushUrl', { url: pushUrl })}</p>}
    </form>
  );
}
