import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { SessionProvider, useSession } from '../api/session';
import SignIn from '../screens/signin';
import { Loading } from '../ui/States';
import { Shell } from './Shell';
import { useTheme } from './theme';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Client errors (4xx) are answers, not glitches; a lost connection is retried.
      retry: (count, err) => count < 3 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
      refetchOnWindowFocus: true,
    },
  },
});

function Gate() {
  const { state } = useSession();
  useTheme();
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'signed-out') return <SignIn reason={state.reason} />;
  return <Shell />;
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <Gate />
      </SessionProvider>
    </QueryClientProvider>
  );
}
