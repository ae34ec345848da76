import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice, QueryView } from '../../ui/States';
import { type ServerConfig, serverConfigApi } from './config-api';
import { parseLines, toLines } from './value-lines';
import { ValuesEditor } from './ValuesEditor';

const TRANSPORTS = ['stdio', 'streamable-http', 'sse', 'websocket'] as const;

/** Change a server's definition (admins). A running server uses it after a restart; `***` values keep what is stored. */
export function EditServer({ id }: { id: string }) {
  const { t } = useTranslation();
  const config = useQuery({ queryKey: ['servers', id, 'config'], queryFn: () => serverConfigApi.get(id) });
  // Outside the form, which is drawn anew from the saved definition.
  const [saved, setSaved] = useState<string | null>(null);
  return (
    <details className="card">
      <summary>{t('serverConfig.edit')}</summary>
      <QueryView query={config}>{(c) => <EditForm key={c.updated_at} config={c} onSaved={setSaved} />}</QueryView>
      {saved && <p className="notice info" role="status">{t('serverConfig.saved', { name: saved })}</p>}
    </details>
  );
}

function EditForm({ config, onSaved }: { config: ServerConfig; onSaved: (name: string | null) => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [transport, setTransport] = useState(config.transport);
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) => serverConfigApi.update(config.id, body),
    onSuccess: (s) => {
      onSaved(s.name);
      void queries.invalidateQueries({ queryKey: ['servers'] });
    },
  });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const text = (name: string) => String(f.get(name) ?? '').trim();
    const description = text('description') || null;
    const placement = text('placement') || config.placement;
    const body =
      transport === 'stdio'
        ? {
            description,
            placement,
            transport,
            command: text('command'),
            args: text('args').split('\n').map((l) => l.trim()).filter(Boolean),
            cwd: text('cwd') || null,
            env: parseLines(text('env'), '='),
          }
        : { description, placement, transport, url: text('url'), headers: parseLines(text('headers'), ':') };
    onSaved(null);
    save.mutate(body);
  }

  return (
    <form onSubmit={submit} autoComplete="off">
      <div className="field">
        <label htmlFor="edit-description">{t('serverConfig.description')}</label>
        <input id="edit-description" name="description" defaultValue={config.description ?? ''} maxLength={2000} />
      </div>
      <div className="field">
        <label htmlFor="edit-transport">{t('servers.transport')}</label>
        <select id="edit-transport" value={transport} onChange={(e) => setTransport(e.target.value as typeof transport)}>
          {TRANSPORTS.map((x) => <option key={x} value={x}>{x}</option>)}
        </select>
      </div>
      {transport === 'stdio' ? (
        <>
          <div className="field">
            <label htmlFor="edit-command">{t('servers.command')} *</label>
            <input id="edit-command" name="command" required defaultValue={config.command ?? ''} />
          </div>
          <div className="field">
            <label htmlFor="edit-args">{t('servers.args')}</label>
            <textarea id="edit-args" name="args" rows={3} defaultValue={config.args.join('\n')} />
          </div>
          <div className="field">
            <label htmlFor="edit-cwd">{t('serverConfig.cwd')}</label>
            <input id="edit-cwd" name="cwd" defaultValue={config.cwd ?? ''} />
          </div>
          <ValuesEditor id="edit-env" name="env" label={t('servers.env')} hint={t('serverConfig.envHint')} separator="=" initial={toLines(config.env, '=')} />
        </>
      ) : (
        <>
          <div className="field">
            <label htmlFor="edit-url">URL *</label>
            <input id="edit-url" name="url" type="url" required defaultValue={config.url ?? ''} />
          </div>
          <ValuesEditor id="edit-headers" name="headers" label={t('serverConfig.headers')} hint={t('serverConfig.headersHint')} separator=":" initial={toLines(config.headers, ':')} />
        </>
      )}
      <div className="field">
        <label htmlFor="edit-placement">{t('serverConfig.placement')}</label>
        <select id="edit-placement" name="placement" defaultValue={config.placement}>
          <option value="one">{t('serverConfig.placementOne')}</option>
          <option value="every">{t('serverConfig.placementEvery')}</option>
        </select>
      </div>
      {save.isError && <ErrorNotice error={save.error} />}
      <button type="submit" className="primary" disabled={save.isPending}>{t('serverConfig.save')}</button>
    </form>
  );
}
