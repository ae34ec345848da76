import i18n from 'i18next';

/** Numbers, sizes, durations and times in the current language. */
export function formatNumber(n: number | null | undefined, digits = 0): string {
  return n == null ? '—' : new Intl.NumberFormat(i18n.language, { maximumFractionDigits: digits }).format(n);
}

export function formatBytes(n: number | null | undefined): string {
  if (n == null) return '—';
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return new Intl.NumberFormat(i18n.language, { style: 'unit', unit: units[i], unitDisplay: 'short', maximumFractionDigits: 1 }).format(n);
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms == null) return '—';
  const s = Math.floor(ms / 1000);
  const parts: [number, Intl.RelativeTimeFormatUnit][] = [
    [Math.floor(s / 86400), 'day'],
    [Math.floor((s % 86400) / 3600), 'hour'],
    [Math.floor((s % 3600) / 60), 'minute'],
    [s % 60, 'second'],
  ];
  const shown = parts.filter(([v]) => v > 0).slice(0, 2);
  if (shown.length === 0) return new Intl.NumberFormat(i18n.language, { style: 'unit', unit: 'millisecond', unitDisplay: 'narrow' }).format(ms);
  return shown.map(([v, unit]) => new Intl.NumberFormat(i18n.language, { style: 'unit', unit, unitDisplay: 'narrow' }).format(v)).join(' ');
}

export function formatTime(iso: string | null | undefined): string {
  return iso ? new Intl.DateTimeFormat(i18n.language, { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso)) : '—';
}
