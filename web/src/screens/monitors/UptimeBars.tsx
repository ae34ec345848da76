import { useTranslation } from 'react-i18next';
import { percent } from './api';

/** One bar per hour of the last 24 h, coloured by uptime; the numbers are in each bar's label. */
export function UptimeBars({ hours, label }: { hours: (number | null)[]; label: string }) {
  const { t } = useTranslation();
  return (
    <div role="img" aria-label={label} style={{ display: 'flex', gap: 2, alignItems: 'flex-end', height: 24 }}>
      {hours.map((u, i) => (
        <span
          key={i}
          title={t('monitors.hourUptime', { ago: 23 - i, uptime: percent(u) })}
          style={{ width: 8, height: 24, borderRadius: 2, background: u === null ? 'var(--border)' : u >= 0.999 ? 'var(--ok)' : 'var(--bad)', opacity: u === null || u >= 0.999 ? 1 : Math.max(0.4, 1 - u) }}
        />
      ))}
    </div>
  );
}
