import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, ApiError, onSessionLost, setCsrfToken } from './client';
import type { Me, SessionInfo } from './types';

type State =
  | { status: 'loading' }
  | { status: 'signed-out'; reason: 'expired' | 'signed-out' | null }
  | { status: 'signed-in'; me: Me };

interface Session {
  state: State;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** True when the signed-in principal holds the permission (the API enforces it anyway). */
  can(permission: string): boolean;
}

const SessionContext = createContext<Session | null>(null);

/** The console session: an HttpOnly cookie set by `POST /auth/session`; the CSRF token kept in memory. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ status: 'loading' });
  const queries = useQueryClient();

  const enter = useCallback((info: SessionInfo) => {
    setCsrfToken(info.csrf_token);
    setState({ status: 'signed-in', me: info.me });
  }, []);

  useEffect(() => {
    api<SessionInfo>('/auth/session', { expectUnauthorized: true }).then(enter, () => setState({ status: 'signed-out', reason: null }));
  }, [enter]);

  useEffect(() => {
    onSessionLost(() => {
      setCsrfToken(null);
      queries.clear();
      setState((s) => (s.status === 'signed-in' ? { status: 'signed-out', reason: 'expired' } : s));
    });
    return () => onSessionLost(null);
  }, [queries]);

  const value = useMemo<Session>(() => ({
    state,
    async signIn(username, password) {
      enter(await api<SessionInfo>('/auth/session', { method: 'POST', body: { username, password }, expectUnauthorized: true }));
    },
    async signOut() {
      // Ends the platform session (cookie cleared) and, after a single sign-on, the provider's session too.
      const ended = await api<{ end_session_url: string | null }>('/auth/sso/logout', { method: 'POST' }).catch((err: unknown) => {
        if (!(err instanceof ApiError)) throw err;
        return { end_session_url: null };
      });
      setCsrfToken(null);
      queries.clear();
      setState({ status: 'signed-out', reason: 'signed-out' });
      if (ended.end_session_url) window.location.assign(ended.end_session_url);
    },
    can: (permission) => state.status === 'signed-in' && state.me.permissions.includes(permission),
  }), [state, enter, queries]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
