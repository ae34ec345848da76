import { useTranslation } from 'react-i18next';
import type { LiveState } from './useLiveRows';

/** The state of a live view in words (announced politely): live, connecting, reconnecting, lost. */
export function LiveBadge({ state }: { state: LiveState }) {
  const { t } = useTranslation();
  if (state === 'off') return null;
  return (
    <span className="live-state" data-state={state} role="status">
      {t(`live.${state}`)}
    </span>
  );
}
