import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../../ui/States';
import { serversApi } from './api';
import { parseLines } from './value-lines';
import { ValuesEditor } from './ValuesEditor';

const TRANSPORTS = ['stdio', 'streamable-http', 'sse', 'websocket'] as const;

/** Register a server (admins): stdio with command, arguments and environment, or a remote URL. */
export function CreateServer() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [transport, setTransport] = useState<(typeof TRANSPORTS)[number]>('stdio');
  const create = useMutation({
    mutationFn: serversApi.create,
    onSuccess: () => queries.invalidateQueries({ queryKey: ['servers'] }),
  });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const text = (name: string) => String(f.get(name) ?? '').trim();
    const lines = (name: string) => text(name).split('\n').map((l) => l.trim()).filter(Boolean);
    const body =
      transport === 'stdio'
        ? {
            name: text('name'),
            transport,
            command: text('command'),
            args: lines('args'),
            env: parseLines(text('env'), '='),
          }
        : { name: text('name'), transport, url: text('url'), headers: parseLines(text('headers'), ':') };
    create.mutate(body, { onSuccess: () => form.reset() });
  }

  return (
    <details className="card">
      <summary>{t('servers.create')}</summary>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="new-name">{t('servers.name')} *</label>
          <input id="new-name" name="name" required aria-describedby="new-name-hint" />
          <span id="new-name-hint" className="hint muted">{t('servers.nameHint')}</span>
        </div>
        <div className="field">
          <label htmlFor="new-transport">{t('servers.transport')}</label>
          <select id="new-transport" value={transport} onChange={(e) => setTransport(e.target.value as typeof transport)}>
            {TRANSPORTS.map((x) => <option key={x} value={x}>{x}</option>)}
          </select>
        </div>
        {transport === 'stdio' ? (
          <>
            <div className="field">
              <label htmlFor="new-command">{t('servers.command')} *</label>
              <input id="new-command" name="command" required />
            </div>
            <div className="field">
              <label htmlFor="new-args">{t('servers.args')}</label>
              <textarea id="new-args" name="args" rows={3} />
            </div>
            <ValuesEditor id="new-env" name="env" label={t('servers.env')} hint={t('servers.envHint')} separator="=" />
          </>
        ) : (
          <>
            <div className="field">
              <label htmlFor="new-url">URL *</label>
              <input id="new-url" name="url" type="url" required />
            </div>
            <ValuesEditor id="new-headers" name="headers" label={t('serverConfig.headers')} hint={t('serverConfig.headersHint')} separator=":" />
          </>
        )}
        {create.isError && <ErrorNotice error={create.error} />}
        {create.isSuccess && <p className="notice info" role="status">{t('servers.created', { name: create.data.name })}</p>}
        <button type="submit" className="primary" disabled={create.isPending}>{t('servers.createSubmit')}</button>
      </form>
    </details>
  );
}
