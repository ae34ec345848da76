import { useTranslation } from 'react-i18next';
import { formatNumber } from '../i18n/format';

/**
 * "N more not shown" under a capped list, as the API counts them (`omitted`, `left_out`); nothing when
 * none were left out. `atLeast` when the API's count is a lower bound.
 */
export function MoreNotShown({ count, atLeast = false }: { count: number; atLeast?: boolean }) {
  const { t } = useTranslation();
  if (count <= 0) return null;
  return <p className="muted more-not-shown">{t(atLeast ? 'state.moreAtLeast' : 'state.more', { n: formatNumber(count) })}</p>;
}
