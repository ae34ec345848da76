import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../../ui/States';
import { secretsApi } from './api';

/**
 * A new version: "set" stores a given value; "rotate" stores a given or generated one with a reason,
 * the old one staying readable for the overlap window. Values are cleared once sent and never shown.
 */
export function NewValueForms({ name, current }: { name: string; current: number }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [done, setDone] = useState<string | null>(null);
  const set = useMutation({ mutationFn: (value: string) => secretsApi.setValue(name, value), gcTime: 0 });
  const rotate = useMutation({ mutationFn: (body: { value?: string; reason: string }) => secretsApi.rotate(name, body), gcTime: 0 });
  const after = (form: HTMLFormElement, m: { reset: () => void }) => (s: { current_version: number }) => {
    form.reset();
    m.reset();
    setDone(t('secrets.newVersion', { version: s.current_version }));
    void queries.invalidateQueries({ queryKey: ['secrets'] });
  };

  function submitSet(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setDone(null);
    set.mutate(String(new FormData(e.currentTarget).get('value') ?? ''), { onSuccess: after(e.currentTarget, set) });
  }
  function submitRotate(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const value = String(f.get('value') ?? '');
    setDone(null);
    rotate.mutate({ reason: String(f.get('reason') ?? '').trim(), ...(value ? { value } : {}) }, { onSuccess: after(e.currentTarget, rotate) });
  }

  return (
    <>
    <div className="cards">
      <form className="card" onSubmit={submitSet} autoComplete="off" aria-labelledby="set-value-title">
        <h3 id="set-value-title">{t('secrets.setValue')}</h3>
        <div className="field">
          <label htmlFor="set-value">{t('secrets.newValue')} *</label>
          <input id="set-value" name="value" type="password" required autoComplete="new-password" spellCheck={false} />
        </div>
        {set.isError && <ErrorNotice error={set.error} />}
        <button type="submit" className="primary" disabled={set.isPending}>{t('secrets.setSubmit', { version: current + 1 })}</button>
      </form>
      <form className="card" onSubmit={submitRotate} autoComplete="off" aria-labelledby="rotate-title">
        <h3 id="rotate-title">{t('secrets.rotate')}</h3>
        <div className="field">
          <label htmlFor="rotate-value">{t('secrets.rotateValue')}</label>
          <input id="rotate-value" name="value" type="password" autoComplete="new-password" spellCheck={false} aria-describedby="rotate-hint" />
          <span id="rotate-hint" className="hint muted">{t('secrets.rotateHint')}</span>
        </div>
        <div className="field">
          <label htmlFor="rotate-reason">{t('secrets.reason')} *</label>
          <input id="rotate-reason" name="reason" required maxLength={500} />
        </div>
        {rotate.isError && <ErrorNotice error={rotate.error} />}
        <button type="submit" className="primary" disabled={rotate.isPending}>{t('secrets.rotateSubmit')}</button>
      </form>
    </div>
    {done && <p className="notice info" role="status">{done}</p>}
    </>
  );
}
