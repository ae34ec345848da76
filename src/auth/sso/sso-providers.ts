import { AppError } from '../../http/app-error.js';
import { nowIso } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { checkUrlToSave, type OutboundGuard } from '../../lib/outbound-guard.js';
import type { Role } from '../roles.js';
import type { SsoRepository } from './sso.repository.js';
import type { CreateProviderInput, ProviderView, UpdateProviderInput } from './sso.schema.js';
import type { SsoProviderRow } from './sso.table.js';

export const DEFAULT_SCOPES = 'openid profile email';

/**
 * The providers an admin configured: saved only when the issuer passes the outbound guard (a private
 * address is refused unless MCPS_OUTBOUND_ALLOW lists it), the client secret only by reference.
 * `changed` tells the sign-in side to forget what it discovered about a provider.
 */
export function createSsoProviders(deps: {
  repo: SsoRepository;
  guard: Pick<OutboundGuard, 'check'>;
  redirectUriOf: (name: string) => string;
  changed: (name: string) => void;
}) {
  const { repo } = deps;
  const view = (row: SsoProviderRow): ProviderView => ({
    ...row,
    role_map: JSON.parse(row.role_map) as Record<string, Role>,
    link_by_email: row.link_by_email === 1,
    enabled: row.enabled === 1,
    redirect_uri: deps.redirectUriOf(row.name),
  });
  const found = async (name: string): Promise<SsoProviderRow> => {
    const row = await repo.findProvider(name);
    if (!row) throw AppError.notFound('SSO provider', name);
    return row;
  };

  return {
    view,
    found,
    async list(): Promise<{ items: ProviderView[] }> {
      return { items: (await repo.listProviders()).map(view) };
    },
    async get(name: string): Promise<ProviderView> {
      return view(await found(name));
    },
    async create(input: CreateProviderInput): Promise<ProviderView> {
      if (await repo.findProvider(input.name)) throw new AppError('conflict', `SSO provider '${input.name}' already exists`);
      await checkUrlToSave(deps.guard, input.issuer, ['http:', 'https:'], 'issuer');
      const at = nowIso();
      const row: SsoProviderRow = {
        id: newId(),
        name: input.name,
        display_name: input.display_name,
        issuer: input.issuer,
        client_id: input.client_id,
        client_secret: input.client_secret ?? null,
        scopes: input.scopes ?? DEFAULT_SCOPES,
        username_claim: input.username_claim ?? 'preferred_username',
        groups_claim: input.groups_claim ?? null,
        role_map: JSON.stringify(input.role_map ?? {}),
        default_role: input.default_role ?? 'viewer',
        link_by_email: input.link_by_email ? 1 : 0,
        enabled: input.enabled === false ? 0 : 1,
        created_at: at,
        updated_at: at,
      };
      await repo.insertProvider(row);
      return view(row);
    },
    async update(name: string, input: UpdateProviderInput): Promise<ProviderView> {
      const row = await found(name);
      if (input.issuer !== undefined) await checkUrlToSave(deps.guard, input.issuer, ['http:', 'https:'], 'issuer');
      const next: SsoProviderRow = {
        ...row,
        ...(input.display_name !== undefined && { display_name: input.display_name }),
        ...(input.issuer !== undefined && { issuer: input.issuer }),
        ...(input.client_id !== undefined && { client_id: input.client_id }),
        ...(input.client_secret !== undefined && { client_secret: input.client_secret }),
        ...(input.scopes !== undefined && { scopes: input.scopes }),
        ...(input.username_claim !== undefined && { username_claim: input.username_claim }),
        ...(input.groups_claim !== undefined && { groups_claim: input.groups_claim }),
        ...(input.role_map !== undefined && { role_map: JSON.stringify(input.role_map) }),
        ...(input.default_role !== undefined && { default_role: input.default_role }),
        ...(input.link_by_email !== undefined && { link_by_email: input.link_by_email ? 1 : 0 }),
        ...(input.enabled !== undefined && { enabled: input.enabled ? 1 : 0 }),
        updated_at: nowIso(),
      };
      await repo.updateProvider(next);
      deps.changed(name);
      return view(next);
    },
    async remove(name: string): Promise<ProviderView> {
      const row = await found(name);
      await repo.deleteProvider(row.id);
      deps.changed(name);
      return view(row);
    },
  };
}

export type SsoProviders = ReturnType<typeof createSsoProviders>;
