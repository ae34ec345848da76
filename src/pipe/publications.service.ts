import { callerLabel, type Principal } from '../auth/principal.js';
import { EVERY_SERVER, type ServerScope, visibleOnly } from '../gateway/access/server-access.js';
import { AppError } from '../http/app-error.js';
import { newId } from '../lib/ids.js';
import { nowIso } from '../lib/clock.js';
import { SYSTEM_CALLER, principalCaller, type SecretCaller } from '../secrets/secret-caller.js';
import { checkUrlToSave, type OutboundGuard } from '../lib/outbound-guard.js';
import type { SecretsService } from '../secrets/secrets.service.js';
import type { ServersRepository } from '../servers/servers.repository.js';
import { parseEndpoint } from './endpoint-url.js';
import type { PublicationManager, PublicationPlacement } from './publication-manager.js';
import { createTokenStore } from './publication-token.js';
import type { PublicationPrincipalResolver } from './publication-types.js';
import type { PublicationRow } from './publication.table.js';
import type { PublicationsRepository } from './publications.repository.js';
import type { PipeStatus } from './pipe-status.js';

export interface PublicationView {
  id: string;
  target: 'server' | 'gateway';
  server_id: string | null;
  server_name: string | null;
  principal: { type: 'user' | 'api_key'; id: string };
  endpoint: string;
  token_secret: string | null;
  enabled: boolean;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  status: PipeStatus | null;
  /** The instance running it (holding its lease), or null: disabled, or between two holders. */
  running_on: string | null;
  /** Enabled but not run by this instance: another one does, or this one waits to take over. */
  standby: boolean;
}

export interface PublicationsServiceDeps {
  repo: PublicationsRepository;
  servers: Pick<ServersRepository, 'findByIdOrName'>;
  manager: PublicationManager;
  principals: PublicationPrincipalResolver;
  secrets: Pick<SecretsService, 'get' | 'set' | 'delete' | 'resolveTracked'>;
  /** The platform's outbound guard: an endpoint it refuses is refused when saved (422), not retried forever. */
  guard?: Pick<OutboundGuard, 'check'> | undefined;
}

/** Who asks, for the secrets service (its own permission check and audit). */
export interface RequestInfo {
  ip?: string;
  requestId?: string;
}

/**
 * Publications: a managed server or the gateway relayed to a remote WebSocket endpoint. The
 * endpoint's token goes into a secret at once; the stored URL references it, and every view shows
 * the redacted form. Changes are applied to the live relays immediately.
 */
export function createPublicationsService(deps: PublicationsServiceDeps) {
  const { repo, manager } = deps;
  const tokens = createTokenStore(deps.secrets);

  const view = async (row: PublicationRow): Promise<PublicationView> => {
    const server = row.server_id ? await deps.servers.findByIdOrName(row.server_id) : undefined;
    return toPublicationView(row, server?.name ?? null, manager.status(row.id), await manager.placement(row));
  };

  const findServer = async (key: string) => {
    const server = await deps.servers.findByIdOrName(key);
    if (!server) throw AppError.notFound('MCP server', key);
    return server;
  };

  const find = async (id: string): Promise<PublicationRow> => {
    const row = await repo.findById(id);
    if (!row) throw AppError.notFound('publication', id);
    return row;
  };

  /** An endpoint the outbound policy refuses now (its address, or what its name resolves to): 422 before anything is stored. */
  const checkEndpoint = async (text: string): Promise<void> => {
    parseEndpoint(text);
    if (deps.guard) await checkUrlToSave(deps.guard, text.trim(), ['ws:', 'wss:'], 'endpoint');
  };

  const insert = async (fields: Omit<PublicationRow, 'id' | 'created_at' | 'updated_at' | 'endpoint' | 'endpoint_display' | 'token_secret'>, endpoint: string, caller: SecretCaller) => {
    const at = nowIso();
    await checkEndpoint(endpoint);
    const row: PublicationRow = { id: newId(), ...fields, endpoint: '', endpoint_display: '', token_secret: null, created_at: at, updated_at: at };
    Object.assign(row, await tokens.store(endpoint, null, caller));
    await repo.insert(row);
    await manager.apply(row);
    return row;
  };

  const change = async (row: PublicationRow, patch: { endpoint?: string | undefined; enabled?: boolean | undefined }, caller: SecretCaller) => {
    if (patch.endpoint !== undefined) await checkEndpoint(patch.endpoint);
    const next: PublicationRow = { ...row, updated_at: nowIso() };
    if (patch.endpoint !== undefined) Object.assign(next, await tokens.store(patch.endpoint, row.token_secret, caller));
    if (patch.enabled !== undefined) next.enabled = patch.enabled ? 1 : 0;
    const { id: _id, ...fields } = next;
    await repo.update(row.id, fields);
    await manager.apply(next);
    return next;
  };

  const remove = async (row: PublicationRow, caller: SecretCaller) => {
    await manager.remove(row.id);
    await repo.delete(row.id);
    if (row.token_secret) await tokens.drop(row.token_secret, caller);
  };

  return {
    /** Every publication of a server `scope` sees, and the gateway's. */
    async list(scope: ServerScope = EVERY_SERVER): Promise<{ items: PublicationView[]; total: number }> {
      const items = visibleOnly(scope, await Promise.all((await repo.all()).map(view)), (v) => v.server_name);
      return { items, total: items.length };
    },
    /** The name of the server a publication relays, or null (the gateway's, or no such publication). */
    async serverOf(id: string): Promise<string | null> {
      const row = await repo.findById(id);
      return row?.server_id ? ((await deps.servers.findByIdOrName(row.server_id))?.name ?? null) : null;
    },
    get: async (id: string) => view(await find(id)),

    async getForServer(key: string): Promise<PublicationView> {
      const server = await findServer(key);
      const row = await repo.findByServer(server.id);
      if (!row) throw new AppError('not_found', `MCP server '${server.name}' is not published`);
      return view(row);
    },

    /** Publishes a managed server, or changes / re-enables its publication. */
    async publishServer(key: string, body: { endpoint?: string | undefined; enabled?: boolean | undefined }, principal: Principal, req: RequestInfo = {}) {
      const server = await findServer(key);
      const caller = principalCaller(principal, req);
      const existing = await repo.findByServer(server.id);
      // Publishing again re-enables (and reconnects) a publication unless told otherwise.
      if (existing) return { created: false, view: await view(await change(existing, { ...body, enabled: body.enabled ?? true }, caller)) };
      if (!body.endpoint) {
        throw new AppError('validation', 'endpoint: required to publish a server that is not published yet', { errors: [{ field: 'endpoint', message: 'required' }] });
      }
      const row = await insert(
        { target: 'server', server_id: server.id, principal_type: principal.type, principal_id: principal.id, enabled: body.enabled === false ? 0 : 1, created_by: callerLabel(principal) },
        body.endpoint,
        caller,
      );
      return { created: true, view: await view(row) };
    },

    async unpublishServer(key: string, principal: Principal, req: RequestInfo = {}): Promise<void> {
      const server = await findServer(key);
      const row = await repo.findByServer(server.id);
      if (!row) throw new AppError('not_found', `MCP server '${server.name}' is not published`);
      await remove(row, principalCaller(principal, req));
    },

    /** Publishes the whole gateway with the rights of an API key (its role and allowlists). */
    async createGateway(body: { api_key_id: string; endpoint: string; enabled?: boolean | undefined }, principal: Principal, req: RequestInfo = {}) {
      // Refuses an unknown, revoked or expired key now rather than at the first connection.
      await deps.principals.resolve('api_key', body.api_key_id);
      const row = await insert(
        { target: 'gateway', server_id: null, principal_type: 'api_key', principal_id: body.api_key_id, enabled: body.enabled === false ? 0 : 1, created_by: callerLabel(principal) },
        body.endpoint,
        principalCaller(principal, req),
      );
      return view(row);
    },

    async update(id: string, patch: { endpoint?: string | undefined; enabled?: boolean | undefined }, principal: Principal, req: RequestInfo = {}) {
      return view(await change(await find(id), patch, principalCaller(principal, req)));
    },

    async remove(id: string, principal: Principal, req: RequestInfo = {}): Promise<void> {
      await remove(await find(id), principalCaller(principal, req));
    },

    /**
     * Stops publications whose row disappeared (the database deletes a server's publication with the
     * server) and deletes their token secrets. Runs periodically.
     */
    async sweep(): Promise<number> {
      const gone = await manager.sweep();
      for (const row of gone) if (row.token_secret) await tokens.drop(row.token_secret, SYSTEM_CALLER);
      return gone.length;
    },

    /** For the tool's status response (synchronous, from memory). */
    summaryForServer(serverId: string, serverName: string): PublicationView | null {
      const row = manager.forServer(serverId);
      return row ? toPublicationView(row, serverName, manager.status(row.id), manager.knownPlacement(row)) : null;
    },
  };
}

export type PublicationsService = ReturnType<typeof createPublicationsService>;

function toPublicationView(row: PublicationRow, serverName: string | null, status: PipeStatus | null, placement: PublicationPlacement): PublicationView {
  return {
    id: row.id,
    target: row.target,
    server_id: row.server_id,
    server_name: serverName,
    principal: { type: row.principal_type, id: row.principal_id },
    endpoint: row.endpoint_display,
    token_secret: row.token_secret,
    enabled: row.enabled === 1,
    created_by: row.created_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
    status,
    ...placement,
  };
}
