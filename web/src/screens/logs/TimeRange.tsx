import { useState } from 'react';
import { useTranslation } from 'react-i18next';

export interface Range {
  since?: string;
  until?: string;
}

const PRESETS = { '15m': 15 * 60_000, '1h': 60 * 60_000, '24h': 24 * 60 * 60_000, '7d': 7 * 24 * 60 * 60_000 } as const;
type Preset = keyof typeof PRESETS | '' | 'custom';

/** A datetime-local value (the browser's local time) as ISO, or undefined when empty or invalid. */
function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/**
 * The time range of a log query (`since`/`until` of GET /logs/{kind}): any time, a recent window
 * (last 15 min, 1 h, 24 h, 7 days, counted from when it is applied) or from/to picked by hand.
 * Its fields are read by the filter form's submit, as `range` gives them.
 */
export function TimeRange() {
  const { t } = useTranslation();
  const [preset, setPreset] = useState<Preset>('');
  return (
    <>
      <div className="field">
        <label htmlFor="filter-range">{t('logs.range')}</label>
        <select id="filter-range" name="range" value={preset} onChange={(e) => setPreset(e.target.value as Preset)}>
          <option value="">{t('logs.anyTime')}</option>
          {Object.keys(PRESETS).map((p) => <option key={p} value={p}>{t(`logs.last.${p as keyof typeof PRESETS}`)}</option>)}
          <option value="custom">{t('logs.custom')}</option>
        </select>
      </div>
      {preset === 'custom' && (
        <>
          <div className="field">
            <label htmlFor="filter-from">{t('logs.from')}</label>
            <input id="filter-from" name="from" type="datetime-local" step="1" />
          </div>
          <div className="field">
            <label htmlFor="filter-to">{t('logs.to')}</label>
            <input id="filter-to" name="to" type="datetime-local" step="1" />
          </div>
        </>
      )}
    </>
  );
}

/** Takes the range fields out of submitted form values and gives them as `since`/`until`. */
export function rangeOf(values: Record<string, string>, now = Date.now()): { rest: Record<string, string>; range: Range } {
  const { range: preset = '', from = '', to = '', ...rest } = values;
  if (preset in PRESETS) return { rest, range: { since: new Date(now - PRESETS[preset as keyof typeof PRESETS]).toISOString() } };
  if (preset !== 'custom') return { rest, range: {} };
  const since = toIso(from);
  const until = toIso(to);
  return { rest, range: { ...(since ? { since } : {}), ...(until ? { until } : {}) } };
}
