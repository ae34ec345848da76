import { api } from '../../api/client';

export type Role = 'admin' | 'operator' | 'viewer';

/** A single sign-on provider as the API shows it: the client secret is a `${secret:NAME}` reference. */
export interface SsoProvider {
  id: string;
  name: string;
  display_name: string;
  issuer: string;
  client_id: string;
  client_secret: string | null;
  scopes: string;
  username_claim: string;
  groups_claim: string | null;
  role_map: Record<string, Role>;
  default_role: Role;
  link_by_email: boolean;
  enabled: boolean;
  redirect_uri: string;
  created_at: string;
  updated_at: string;
}

export type ProviderFields = Omit<SsoProvider, 'id' | 'name' | 'redirect_uri' | 'created_at' | 'updated_at'>;

/** What the sign-in screen offers (public). */
export interface SignInOptions {
  local_passwords: boolean;
  providers: { name: string; display_name: string; start_url: string }[];
}

export const ssoApi = {
  options: () => api<SignInOptions>('/auth/sso', { expectUnauthorized: true }),
  list: () => api<{ items: SsoProvider[] }>('/auth/sso/providers'),
  create: (body: ProviderFields & { name: string }) => api<SsoProvider>('/auth/sso/providers', { method: 'POST', body }),
  update: (name: string, body: ProviderFields) => api<SsoProvider>(`/auth/sso/providers/${encodeURIComponent(name)}`, { method: 'PUT', body }),
  remove: (name: string) => api<SsoProvider>(`/auth/sso/providers/${encodeURIComponent(name)}`, { method: 'DELETE' }),
};

/** `group=role` lines <-> the role map. */
export function roleMapText(map: Record<string, Role>): string {
  return Object.entries(map).map(([k, v]) => `${k}=${v}`).join('\n');
}
export function parseRoleMap(text: string): Record<string, Role> {
  const map: Record<string, Role> = {};
  for (const line of text.split('\n')) {
    const at = line.lastIndexOf('=');
    if (at > 0) map[line.slice(0, at).trim()] = line.slice(at + 1).trim() as Role;
  }
  return map;
}
