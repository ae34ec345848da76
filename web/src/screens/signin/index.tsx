import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { useSession } from '../../api/session';
import { LANGUAGES, setLanguage } from '../../i18n';
import { ssoApi } from '../sso/api';

/** Why single sign-on sent the browser back here (the `mcps_sso_error` cookie the callback set), once. */
function takeSsoError(): string | null {
  const found = document.cookie.split('; ').find((c) => c.startsWith('mcps_sso_error='));
  if (!found) return null;
  document.cookie = 'mcps_sso_error=; Max-Age=0; path=/';
  return decodeURIComponent(found.slice('mcps_sso_error='.length));
}

/**
 * Sign in (shown whenever there is no session): a button per single sign-on provider, and the password
 * form unless passwords are turned off; says why when a session expired or was ended.
 */
export default function SignIn({ reason }: { reason: 'expired' | 'signed-out' | null }) {
  const { t, i18n } = useTranslation();
  const { signIn } = useSession();
  const [error, setError] = useState<string | null>(() => {
    const sso = takeSsoError();
    return sso ? t('signin.failed', { detail: sso }) : null;
  });
  const [busy, setBusy] = useState(false);
  const options = useQuery({ queryKey: ['sso', 'options'], queryFn: ssoApi.options, retry: false });
  const providers = options.data?.providers ?? [];
  const passwords = options.data?.local_passwords ?? true;
  // The password form waits for the options: it would flash where passwords are off, and its autofocus
  // would take the focus from the providers' buttons.
  const showPasswords = passwords && !options.isPending;

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
      {providers.length > 0 && (
        <div className="actions sso-providers">
          {providers.map((p) => <a key={p.name} className="button primary" href={p.start_url}>{t('signin.with', { name: p.display_name })}</a>)}
        </div>
      )}
      {!passwords && <p className="muted">{t('signin.passwordsOff')}</p>}
      <form onSubmit={(e) => void submit(e)}>
        {showPasswords && (
          <>
            {providers.length > 0 && <p className="muted">{t('signin.or')}</p>}
            <div className="field">
              <label htmlFor="username">{t('signin.username')}</label>
              <input id="username" name="username" autoComplete="username" required autoFocus={providers.length === 0} />
            </div>
            <div className="field">
              <label htmlFor="password">{t('signin.password')}</label>
              <input id="password" name="password" type="password" autoComplete="current-password" required />
            </div>
            <button type="submit" className="primary" disabled={busy}>{t('signin.submit')}</button>
          </>
        )}
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
