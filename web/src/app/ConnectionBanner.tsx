import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';

/** Says so while the platform cannot be reached, and goes away by itself when a request gets through again. */
export function ConnectionBanner() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [lost, setLost] = useState(false);

  useEffect(
    () =>
      queries.getQueryCache().subscribe((event) => {
        if (event.type !== 'updated') return;
        const { action } = event;
        if (action.type === 'failed' || action.type === 'error') setLost(action.error instanceof ApiError && action.error.code === 'network');
        else if (action.type === 'success') setLost(false);
      }),
    [queries],
  );

  return lost ? <p className="notice error" role="alert">{t('state.network')}</p> : null;
}
