import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { useSession } from '../../api/session';
import { LANGUAGES, setLanguage } from '../../i18n';

/** Sign in (shown whenever there is no session); says why when a session expired or was ended. */
export default function SignIn({ reason }: { reason: 'expired' | 'signed-out' | null }) {
  const { t, i18n } = useTranslation();
  const { signIn } = useSession();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await signIn(String(form.get('username')), String(form.get('password')));
    } catch (err) {
      setError(err instanceof ApiError && err.code !== 'network' ? t('signin.failed', { detail: err.detail }) : t('state.network'));
      setBusy(false);
    }
  }

  return (
    <main className="signin" id="main">
      <h1>{t('app.name')} · {t('signin.title')}</h1>
      {reason === 'expired' && <p className="notice info" role="status">{t('signin.expired')}</p>}
      {reason === 'signed-out' && <p className="notice info" role="status">{t('signin.signedOut')}</p>}
      {error && <p className="notice error" role="alert">{error}</p>}
      <form onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor="username">{t('signin.username')}</label>
          <input id="username" name="username" autoComplete="username" required autoFocus />
        </div>
        <div className="field">
          <label htmlFor="password">{t('signin.password')}</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required />
        </div>
        <button type="submit" className="primary" disabled={busy}>{t('signin.submit')}</button>
        <label className="field" style={{ marginTop: '1rem' }}>
          <span>{t('shell.language')}</span>
          <select value={i18n.language} onChange={(e) => setLanguage(e.target.value)}>
            {LANGUAGES.map((l) => <option key={l.code} value={l.code}>{l.label}</option>)}
          </select>
        </label>
      </form>
    </main>
  );
}
