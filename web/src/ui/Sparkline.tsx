/**
 * A small trend line (inline SVG, no chart library) for a table cell: the values scaled to the box,
 * gaps (null) skipped. `label` is what a screen reader hears (say the latest value in it); the line
 * itself is decoration beside a value shown as text.
 */
export function Sparkline({ values, label, width = 80, height = 20 }: { values: (number | null)[]; label: string; width?: number; height?: number }) {
  const known = values.filter((v): v is number => v != null && Number.isFinite(v));
  const max = Math.max(...known, 0);
  const min = Math.min(...known, 0);
  const span = max - min || 1;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const points = values
    .map((v, i) => (v == null || !Number.isFinite(v) ? null : `${(i * step).toFixed(1)},${(height - 1 - ((v - min) / span) * (height - 2)).toFixed(1)}`))
    .filter((p): p is string => p !== null)
    .join(' ');
  return (
    <svg className="sparkline" role="img" aria-label={label} width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
      {points && <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />}
    </svg>
  );
}
