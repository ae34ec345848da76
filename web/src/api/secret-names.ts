import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import { useSession } from './session';
import type { Page } from './types';

/** The names of the stored secrets (for pickers that write `${secret:NAME}`), when the user may read them. */
export function useSecretNames() {
  const { can } = useSession();
  return useQuery({
    queryKey: ['secret-names'],
    queryFn: async () => (await api<Page<{ name: string }>>('/secrets?limit=500')).items.map((s) => s.name),
    enabled: can('secrets:read'),
  });
}
