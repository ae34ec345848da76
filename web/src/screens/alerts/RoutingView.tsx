import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { ErrorNotice, QueryView } from '../../ui/States';
import { alertsApi } from './api';

/** The routing tree as JSON: read by everyone, replaced by an admin (the API's validation error shown). */
function RoutingEditor({ tree }: { tree: unknown }) {
  const { t } = useTranslation();
  const id = useId();
  const queries = useQueryClient();
  const [text, setText] = useState(() => JSON.stringify(tree, null, 2));
  const [parseError, setParseError] = useState<string | null>(null);
  const save = useMutation({ mutationFn: alertsApi.setRouting, onSuccess: () => queries.invalidateQueries({ queryKey: ['alerts', 'routing'] }) });
  function submit() {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      setParseError((err as Error).message);
      return;
    }
    setParseError(null);
    save.mutate(body);
  }
  return (
    <form onSubmit={(e) => { e.preventDefault(); submit(); }} aria-label={t('routing.edit')}>
      <div className="field">
        <label htmlFor={`${id}-json`}>{t('routing.json')}</label>
        <textarea id={`${id}-json`} rows={16} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
      </div>
      {parseError && <p className="state-error" role="alert">{t('routing.notJson', { detail: parseError })}</p>}
      {save.error != null && <ErrorNotice error={save.error} />}
      {save.isSuccess && <p role="status">{t('routing.saved')}</p>}
      <button type="submit" className="primary" disabled={save.isPending}>{t('routing.save')}</button>
    </form>
  );
}

export function RoutingView() {
  const { t } = useTranslation();
  const { can } = useSession();
  const tree = useQuery({ queryKey: ['alerts', 'routing'], queryFn: alertsApi.routing });
  return (
    <>
      <p className="muted">{t('routing.hint')}</p>
      <QueryView query={tree}>
        {(r) => (can('alerts:manage')
          ? <RoutingEditor tree={r} />
          : <pre className="output" aria-label={t('routing.json')}>{JSON.stringify(r, null, 2)}</pre>)}
      </QueryView>
    </>
  );
}
