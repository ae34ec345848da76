import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../../ui/States';
import { analyzerApi } from './api';
import { downloadedDaysGlob, MAX_DAYS } from './downloaded-days';

/**
 * Adds the files a storage profile downloaded for a date range, as one glob (shown, so it can be
 * edited). For roles that may read storage profiles; others name files directly.
 */
export function FromStorage({ onAdd }: { onAdd: (glob: string) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const profiles = useQuery({ queryKey: ['storage', 'profiles'], queryFn: analyzerApi.profiles });
  const dated = (profiles.data?.items ?? []).filter((p) => p.date_pattern);
  const [problem, setProblem] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');

  // Not a <form>: it sits inside the inputs form, and forms do not nest.
  function add() {
    const profile = dated.find((p) => p.name === name) ?? dated[0];
    if (!profile || !from) {
      setProblem(t('analysis.pickDay'));
      return;
    }
    try {
      onAdd(downloadedDaysGlob(profile, from, to || from));
      setProblem(null);
    } catch {
      setProblem(t('analysis.badRange', { max: MAX_DAYS }));
    }
  }

  if (profiles.isError) return <ErrorNotice error={profiles.error} />;
  if (dated.length === 0) return null;
  return (
    <details className="from-storage">
      <summary>{t('analysis.fromStorage')}</summary>
      <div className="filters" role="group" aria-label={t('analysis.fromStorage')}>
        <div className="field">
          <label htmlFor={`${id}-p`}>{t('analysis.profile')}</label>
          <select id={`${id}-p`} value={name || dated[0]!.name} onChange={(e) => setName(e.target.value)}>
            {dated.map((p) => <option key={p.name} value={p.name}>{p.name}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-from`}>{t('analysis.fromDay')}</label>
          <input id={`${id}-from`} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>{t('analysis.toDay')}</label>
          <input id={`${id}-to`} type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
        <button type="button" onClick={add}>{t('analysis.addFiles')}</button>
      </div>
      {problem && <p className="notice error" role="alert">{problem}</p>}
    </details>
  );
}
