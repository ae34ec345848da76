import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../../ui/States';
import { jobsApi, parseInputLines, type StartBatch as StartBody } from './api';

type Op = StartBody['operation'];

function AnalyzeFields({ id }: { id: string }) {
  const { t } = useTranslation();
  const profiles = useQuery({ queryKey: ['storage', 'profiles'], queryFn: jobsApi.profiles });
  return (
    <div className="filters">
      <div className="field">
        <label htmlFor={`${id}-p`}>{t('jobs.profile')} *</label>
        <select id={`${id}-p`} name="profile" required>
          {(profiles.data?.items ?? []).map((p) => <option key={p.name} value={p.name}>{p.name}</option>)}
        </select>
      </div>
      <div className="field"><label htmlFor={`${id}-x`}>{t('jobs.prefix')}</label><input id={`${id}-x`} name="prefix" /></div>
      <div className="field"><label htmlFor={`${id}-f`}>{t('jobs.from')}</label><input id={`${id}-f`} name="from" type="date" /></div>
      <div className="field"><label htmlFor={`${id}-t`}>{t('jobs.to')}</label><input id={`${id}-t`} name="to" type="date" /></div>
      <div className="field"><label htmlFor={`${id}-g`}>{t('jobs.glob')}</label><input id={`${id}-g`} name="glob" placeholder="*.log.gz" /></div>
    </div>
  );
}

function CallToolFields({ id, inputs, setInputs }: { id: string; inputs: string; setInputs: (v: string) => void }) {
  const { t } = useTranslation();
  const servers = useQuery({ queryKey: ['servers', 'list'], queryFn: jobsApi.servers });
  const bad = parseInputLines(inputs).bad;
  return (
    <>
      <div className="filters">
        <div className="field">
          <label htmlFor={`${id}-s`}>{t('jobs.server')} *</label>
          <select id={`${id}-s`} name="server" required>
            {(servers.data?.items ?? []).map((s) => <option key={s.id} value={s.name}>{s.name}</option>)}
          </select>
        </div>
        <div className="field"><label htmlFor={`${id}-tool`}>{t('jobs.tool')} *</label><input id={`${id}-tool`} name="tool" required maxLength={256} /></div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-i`}>{t('jobs.inputs')} *</label>
        <textarea id={`${id}-i`} rows={5} required value={inputs} onChange={(e) => setInputs(e.target.value)} aria-describedby={`${id}-i-hint`} placeholder={'{"message": "a"}\n{"message": "b"}'} />
        <span id={`${id}-i-hint`} className="hint muted">{t('jobs.inputsHint')}</span>
        {bad !== null && <p className="state-error">{t('jobs.badInput', { line: bad })}</p>}
      </div>
    </>
  );
}

/** The params of the chosen operation, read from the form. */
function paramsOf(op: Op, f: FormData, inputs: string): Record<string, unknown> {
  const text = (n: string) => String(f.get(n) ?? '').trim();
  if (op === 'call_tool') return { server: text('server'), tool: text('tool'), inputs: parseInputLines(inputs).inputs };
  const p: Record<string, unknown> = { profile: text('profile') };
  for (const k of ['prefix', 'from', 'to', 'glob']) if (text(k)) p[k] = text(k);
  return p;
}

/** An operator starts a batch: download_analyze over a storage date range, or call_tool once per input. */
export function StartBatch({ onStarted }: { onStarted: (id: string) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const queries = useQueryClient();
  const [op, setOp] = useState<Op>('call_tool');
  const [inputs, setInputs] = useState('');
  const start = useMutation({ mutationFn: jobsApi.start, onSuccess: () => queries.invalidateQueries({ queryKey: ['jobs'] }) });
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    start.mutate({ operation: op, params: paramsOf(op, f, inputs), concurrency: Number(f.get('concurrency')) || 4 }, { onSuccess: (b) => onStarted(b.id) });
  }
  const bad = op === 'call_tool' && parseInputLines(inputs).bad !== null;
  return (
    <details className="card">
      <summary>{t('jobs.start')}</summary>
      <form onSubmit={submit} aria-label={t('jobs.start')}>
        <div className="filters">
          <div className="field">
            <label htmlFor={`${id}-op`}>{t('jobs.operation')}</label>
            <select id={`${id}-op`} value={op} onChange={(e) => setOp(e.target.value as Op)}>
              <option value="call_tool">{t('jobs.op_call_tool')}</option>
              <option value="download_analyze">{t('jobs.op_download_analyze')}</option>
            </select>
          </div>
          <div className="field"><label htmlFor={`${id}-c`}>{t('jobs.concurrency')}</label><input id={`${id}-c`} name="concurrency" type="number" min={1} max={64} defaultValue={4} /></div>
        </div>
        {op === 'call_tool' ? <CallToolFields id={id} inputs={inputs} setInputs={setInputs} /> : <AnalyzeFields id={id} />}
        {start.error != null && <ErrorNotice error={start.error} />}
        <button type="submit" className="primary" disabled={bad || start.isPending}>{t('jobs.startButton')}</button>
      </form>
    </details>
  );
}
