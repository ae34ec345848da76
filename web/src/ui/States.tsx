import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';

export function Loading() {
  const { t } = useTranslation();
  return <p className="muted" role="status">{t('state.loading')}</p>;
}

export function Empty({ children }: { children?: ReactNode }) {
  const { t } = useTranslation();
  return <p className="muted">{children ?? t('state.empty')}</p>;
}

/** Answers that refuse what the person sent (their input, a conflict), as opposed to a fault. */
const REFUSALS = new Set([400, 409, 413, 422]);

/** "body.password: must be ..." reads as "password: must be ..." (the API names the request part). */
function withoutRequestPart(detail: string): string {
  return detail.replace(/(^|; )(body|querystring|params|headers)\./g, '$1');
}

/** An error as the user should read it: the API's problem+json `detail`, or a lost connection. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const network = error instanceof ApiError && error.code === 'network';
  const detail = error instanceof ApiError ? error.detail : error instanceof Error ? error.message : String(error);
  const refused = error instanceof ApiError && REFUSALS.has(error.status);
  return (
    <div className="notice error" role="alert">
      {network ? t('state.network') : refused ? t('state.refused', { detail: withoutRequestPart(detail) }) : t('state.error', { detail })}
      {onRetry && <button type="button" onClick={onRetry}>{t('state.retry')}</button>}
    </div>
  );
}

/** Loading, error (with retry), empty, or the data. */
export function QueryView<T>({ query, empty, isEmpty, children }: {
  query: UseQueryResult<T>;
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (query.isError && query.data === undefined) return <ErrorNotice error={query.error} onRetry={() => void query.refetch()} />;
  const data = query.data as T;
  return (
    <>
      {query.isError && <ErrorNotice error={query.error} onRetry={() => void query.refetch()} />}
      {isEmpty?.(data) ? <Empty>{empty}</Empty> : children(data)}
    </>
  );
}
