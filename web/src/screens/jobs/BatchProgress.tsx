import { useTranslation } from 'react-i18next';
import { ProgressBar } from '../../ui/ProgressBar';
import type { Batch } from './api';

/** done + failed out of total, with the figures beside the bar. */
export function BatchProgress({ batch }: { batch: Batch }) {
  const { t } = useTranslation();
  const p = batch.progress;
  return (
    <ProgressBar
      value={p.done + p.failed}
      max={p.total}
      label={t('jobs.progressOf', { id: batch.id })}
      text={t('jobs.progressText', { done: p.done, failed: p.failed, total: p.total })}
    />
  );
}
