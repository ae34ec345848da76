import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../ui/Dialog';
import { ErrorNotice } from '../../ui/States';
import { type Allowlist, type ApiKey, gatewayApi } from './api';
import { patterns, patternsText } from './patterns';

function AllowlistDialog({ apiKey, current, onClose }: { apiKey: ApiKey; current: Allowlist; onClose: () => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const save = useMutation({
    mutationFn: (lists: Allowlist) => gatewayApi.setAllowlist(apiKey.id, lists),
    onSuccess: (view) => {
      queries.setQueryData(['gateway', 'keys', apiKey.id, 'allowlist'], view);
      onClose();
    },
  });
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    save.mutate({ allowed_servers: patterns(String(f.get('servers') ?? '')), allowed_tools: patterns(String(f.get('tools') ?? '')) });
  }
  return (
    <Dialog title={t('gatewayExtra.editAllowlistTitle', { name: apiKey.name })} onClose={onClose}>
      <p className="muted">{t('gatewayExtra.editAllowlistHint')}</p>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="gw-edit-servers">{t('gateway.allowedServers')}</label>
          <textarea id="gw-edit-servers" name="servers" rows={3} defaultValue={patternsText(current.allowed_servers)} aria-describedby="gw-edit-hint" />
        </div>
        <div className="field">
          <label htmlFor="gw-edit-tools">{t('gateway.allowedTools')}</label>
          <textarea id="gw-edit-tools" name="tools" rows={3} defaultValue={patternsText(current.allowed_tools)} aria-describedby="gw-edit-hint" />
          <span id="gw-edit-hint" className="hint muted">{t('gateway.allowHint')}</span>
        </div>
        {save.isError && <ErrorNotice error={save.error} />}
        <div className="actions">
          <button type="submit" className="primary" disabled={save.isPending}>{t('gatewayExtra.saveAllowlist')}</button>
          <button type="button" onClick={onClose}>{t('dialog.cancel')}</button>
        </div>
      </form>
    </Dialog>
  );
}

/** "Edit allowlist" for a live key: its servers and tools changed after creation (open sessions follow at once). */
export function EditAllowlist({ apiKey, current }: { apiKey: ApiKey; current: Allowlist | undefined }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)} disabled={!current} aria-label={t('gatewayExtra.editAllowlistOf', { name: apiKey.name })}>
        {t('gatewayExtra.editAllowlist')}
      </button>
      {open && current && <AllowlistDialog apiKey={apiKey} current={current} onClose={() => setOpen(false)} />}
    </>
  );
}
