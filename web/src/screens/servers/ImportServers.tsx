import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ChangeEvent, type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DataTable } from '../../ui/DataTable';
import { ErrorNotice } from '../../ui/States';
import { type ImportReport, serverConfigApi } from './config-api';

interface Row { source: string; name: string | null; outcome: 'created' | 'updated' | 'skipped'; reason: string }

function rowsOf(report: ImportReport): Row[] {
  return [
    ...report.created.map((r) => ({ ...r, outcome: 'created' as const, reason: '' })),
    ...report.updated.map((r) => ({ ...r, outcome: 'updated' as const, reason: '' })),
    ...report.skipped.map((r) => ({ ...r, outcome: 'skipped' as const })),
  ];
}

/** Import a Claude Desktop (Cursor, VS Code) `{"mcpServers": {...}}` file, pasted or chosen; the report says per server what happened. */
export function ImportServers() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [text, setText] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  // The pasted file may hold literal credentials: it is cleared once imported.
  const run = useMutation({
    mutationFn: serverConfigApi.importFile,
    gcTime: 0,
    onSuccess: () => {
      setText('');
      void queries.invalidateQueries({ queryKey: ['servers'] });
    },
  });

  async function choose(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (file) setText(await file.text());
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      setInvalid((err as Error).message);
      return;
    }
    setInvalid(null);
    run.mutate(body);
  }

  return (
    <details className="card">
      <summary>{t('serverConfig.import')}</summary>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="import-file">{t('serverConfig.importFile')}</label>
          <input id="import-file" type="file" accept=".json,application/json" onChange={(e) => void choose(e)} />
        </div>
        <div className="field">
          <label htmlFor="import-json">{t('serverConfig.importJson')}</label>
          <textarea id="import-json" rows={8} value={text} onChange={(e) => setText(e.target.value)} aria-describedby="import-hint" spellCheck={false} />
          <span id="import-hint" className="hint muted">{t('serverConfig.importHint')}</span>
        </div>
        {invalid && <p className="notice error" role="alert">{t('servers.invalidJson', { detail: invalid })}</p>}
        {run.isError && <ErrorNotice error={run.error} />}
        <button type="submit" className="primary" disabled={run.isPending || !text.trim()}>{t('serverConfig.importSubmit')}</button>
      </form>
      {run.data && (
        <div aria-live="polite">
          <p role="status">{t('serverConfig.importSummary', { created: run.data.created.length, updated: run.data.updated.length, skipped: run.data.skipped.length })}</p>
          <DataTable
            caption={t('serverConfig.importReport')}
            rows={rowsOf(run.data)}
            rowKey={(r) => `${r.outcome}:${r.source}`}
            columns={[
              { key: 'source', header: t('serverConfig.entry'), cell: (r) => r.source },
              { key: 'name', header: t('servers.name'), cell: (r) => r.name ?? '—' },
              { key: 'outcome', header: t('serverConfig.outcome'), cell: (r) => t(`serverConfig.outcomes.${r.outcome}`) },
              { key: 'reason', header: t('serverConfig.reason'), cell: (r) => r.reason || '—' },
            ]}
          />
        </div>
      )}
    </details>
  );
}
