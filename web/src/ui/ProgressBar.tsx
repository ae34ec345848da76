/**
 * Progress of a count out of a total: the native `<progress>` (its role and value for screen readers) with
 * the figures written beside it, so the value never depends on the bar alone.
 */
export function ProgressBar({ value, max, label, text }: { value: number; max: number; label: string; text?: string }) {
  const shown = text ?? `${value} / ${max}`;
  return (
    <span className="progress-bar">
      <progress value={Math.min(value, max)} max={Math.max(max, 1)} aria-label={label} aria-valuetext={shown} />
      <span className="progress-text">{shown}</span>
    </span>
  );
}
