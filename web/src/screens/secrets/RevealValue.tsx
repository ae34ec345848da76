import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CopyButton } from '../../ui/CopyButton';
import { ErrorNotice } from '../../ui/States';
import { secretsApi } from './api';

/**
 * Reads one version's value after asking why (the API records the reason in the operation log). The
 * value lives in this component's state only: masked until "Show" is pressed, copyable, and gone when
 * the component goes (another version, the panel closed, another page). The mutation keeps nothing
 * (gcTime 0, reset at once), so the query cache never holds it.
 */
export function RevealValue({ name, version, onClose }: { name: string; version: number; onClose: () => void }) {
  const { t } = useTranslation();
  const [value, setValue] = useState<string | null>(null);
  const [shown, setShown] = useState(false);
  const reveal = useMutation({ mutationFn: (reason: string) => secretsApi.reveal(name, version, reason), gcTime: 0 });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const reason = String(new FormData(e.currentTarget).get('reason') ?? '').trim();
    reveal.mutate(reason, {
      onSuccess: (r) => {
        setValue(r.value);
        reveal.reset();
      },
    });
  }

  return (
    <div className="card" role="region" aria-labelledby="reveal-title">
      <h3 id="reveal-title">{t('secrets.revealTitle', { name, version })}</h3>
      {value === null ? (
        <form onSubmit={submit} autoComplete="off">
          <div className="field">
            <label htmlFor="reveal-reason">{t('secrets.reason')} *</label>
            <input id="reveal-reason" name="reason" required maxLength={500} aria-describedby="reveal-hint" />
            <span id="reveal-hint" className="hint muted">{t('secrets.revealHint')}</span>
          </div>
          {reveal.isError && <ErrorNotice error={reveal.error} />}
          <div className="actions">
            <button type="submit" className="primary" disabled={reveal.isPending}>{t('secrets.revealSubmit')}</button>
            <button type="button" onClick={onClose}>{t('secrets.cancel')}</button>
          </div>
        </form>
      ) : (
        <>
          <p>
            <code data-testid="secret-value" aria-label={shown ? t('secrets.valueShown') : t('secrets.valueHidden')}>
              {shown ? value : '•'.repeat(12)}
            </code>
          </p>
          <div className="actions">
            <button type="button" aria-pressed={shown} onClick={() => setShown(!shown)}>{shown ? t('secrets.hide') : t('secrets.show')}</button>
            <CopyButton text={value} label={t('secrets.copyValue', { name })} />
            <button type="button" onClick={onClose}>{t('secrets.forget')}</button>
          </div>
        </>
      )}
    </div>
  );
}
