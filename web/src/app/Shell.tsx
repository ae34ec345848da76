import { Suspense, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Switch, useLocation } from 'wouter';
import { useSession } from '../api/session';
import { LANGUAGES, setLanguage } from '../i18n';
import { Loading } from '../ui/States';
import { ConnectionBanner } from './ConnectionBanner';
import { routes } from './routes';
import { useTheme } from './theme';

/** The signed-in layout: header (user, language, theme, sign out), navigation, and the current screen. */
export function Shell() {
  const { t, i18n } = useTranslation();
  const { state, signOut, can } = useSession();
  const [theme, setTheme] = useTheme();
  const [location] = useLocation();
  const me = state.status === 'signed-in' ? state.me : null;
  const isCurrent = (path: string) => (path === '/' ? location === '/' : location.startsWith(path));
  const section = routes.find((r) => r.nav && isCurrent(r.path));
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // On a narrow screen the navigation folds behind a menu button (styles.css); a navigation folds it again.
  const [menuOpen, setMenuOpen] = useState(false);

  // The tab says where one is; after a navigation, focus moves to the new content (screen readers announce it).
  useEffect(() => {
    document.title = section?.nav ? `${t(`nav.${section.nav}`)} · ${t('app.name')}` : t('app.name');
  }, [section, t]);
  useEffect(() => {
    setMenuOpen(false);
    if (first.current) first.current = false;
    else main.current?.focus();
  }, [location]);

  return (
    <div className={menuOpen ? 'shell menu-open' : 'shell'}>
      <a className="skip" href="#main">{t('app.skip')}</a>
      <header className="topbar">
        <span className="brand">{t('app.name')}</span>
        <span className="muted who">{me && t('shell.signedInAs', { name: me.name, role: me.role })}</span>
        <label htmlFor="shell-language" className="visually-hidden">{t('shell.language')}</label>
        <select id="shell-language" value={i18n.language} onChange={(e) => setLanguage(e.target.value)}>
          {LANGUAGES.map((l) => <option key={l.code} value={l.code}>{l.label}</option>)}
        </select>
        <label htmlFor="shell-theme" className="visually-hidden">{t('shell.theme')}</label>
        <select id="shell-theme" value={theme} onChange={(e) => setTheme(e.target.value as 'light' | 'dark')}>
          <option value="light">{t('shell.light')}</option>
          <option value="dark">{t('shell.dark')}</option>
        </select>
        <button type="button" onClick={() => void signOut()}>{t('shell.signOut')}</button>
      </header>
      <nav aria-label={t('app.nav')} className="sidenav">
        <button type="button" className="menu-button" aria-expanded={menuOpen} aria-controls="nav-links" onClick={() => setMenuOpen((o) => !o)}>
          {t('layout.menu')}
        </button>
        <ul id="nav-links">
          {routes.filter((r) => r.nav && can(r.permission)).map((r) => {
            const current = isCurrent(r.path);
            return (
              <li key={r.path}>
                <Link href={r.path} aria-current={current ? 'page' : undefined} onClick={() => setMenuOpen(false)}>{t(`nav.${r.nav!}`)}</Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <main id="main" tabIndex={-1} ref={main}>
        <ConnectionBanner />
        {/* Keyed by screen: leaving a screen unmounts it even while the next one's code still loads
            (a suspended update would otherwise keep the old screen hidden, with its state, e.g. a
            revealed secret, and show it again on a quick way back). */}
        <Suspense key={location.split('/')[1]} fallback={<Loading />}>
          <Switch>
            {routes.map((r) => (
              <Route key={r.path} path={r.path}>
                {can(r.permission) ? <r.screen /> : <p role="alert">{t('shell.forbidden')}</p>}
              </Route>
            ))}
            <Route><p role="alert">{t('shell.notFound')}</p></Route>
          </Switch>
        </Suspense>
      </main>
    </div>
  );
}
