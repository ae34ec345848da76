import type { OutboundGuard } from '../lib/outbound-guard.js';
import type { Logger } from 'pino';
import type { PipeTiming } from '../config.js';
import { AppError } from '../http/app-error.js';
import { createSecretRedactor, type RedactableSecret } from '../secrets/secret-redaction.js';
import type { ServersRepository } from '../servers/servers.repository.js';
import { endpointHost, parseEndpoint } from './endpoint-url.js';
import type { OpenSession } from './gateway-session.js';
import type { PublicationPrincipalResolver } from './publication-types.js';
import type { PublicationRow } from './publication.table.js';
import { pinoPipeLog } from './pipe-log.js';
import { createPipeRelay, type PipeRelay, type PipeStatus } from './pipe-relay.js';
import type { PublicationsRepository } from './publications.repository.js';

/** Resolves `${secret:...}` in a stored endpoint at the moment of connecting; returns the values used. */
export type ResolveEndpoint = (stored: string) => Promise<{ value: string; secrets: RedactableSecret[] }>;

export interface PublicationManagerDeps {
  repo: PublicationsRepository;
  servers: Pick<ServersRepository, 'findByIdOrName'>;
  principals: PublicationPrincipalResolver;
  openSession: OpenSession;
  resolveEndpoint: ResolveEndpoint;
  log: Logger;
  timing: PipeTiming;
  /** The platform's outbound guard: endpoints at private addresses are refused unless allowed. */
  guard?: Pick<OutboundGuard, 'assertUrl' | 'lookup'> | undefined;
}

interface Entry {
  row: PublicationRow;
  relay: PipeRelay | null;
}

/**
 * The live side of publications: one pipe relay per enabled publication, each WebSocket session
 * served by a gateway MCP session (`openSession`) with the publication's principal. Holds every
 * publication in memory so a tool's status can show its publication without a query.
 */
export function createPublicationManager(deps: PublicationManagerDeps) {
  const entries = new Map<string, Entry>();

  const relayFor = (row: PublicationRow): PipeRelay => {
    let redactSecrets = (t: string) => t;
    const caller = `pipe:${endpointHost(row.endpoint_display)}`;
    const relay = createPipeRelay({
      display: row.endpoint_display,
      async endpoint() {
        const resolved = await deps.resolveEndpoint(row.endpoint);
        redactSecrets = createSecretRedactor(resolved.secrets);
        parseEndpoint(resolved.value);
        deps.guard?.assertUrl(resolved.value, ['ws:', 'wss:']);
        return resolved.value;
      },
      async open() {
        // Read afresh: the server may have been renamed or deleted, the principal disabled.
        const current = await deps.repo.findById(row.id);
        if (!current) {
          void stop(row.id);
          throw new AppError('not_found', 'the publication was removed');
        }
        const principal = await deps.principals.resolve(current.principal_type, current.principal_id);
        let server: string | undefined;
        if (current.target === 'server') {
          const s = current.server_id ? await deps.servers.findByIdOrName(current.server_id) : undefined;
          if (!s) throw new AppError('not_found', 'the published MCP server no longer exists');
          server = s.name;
        }
        return deps.openSession({ principal, caller, ...(server ? { server } : {}) });
      },
      log: pinoPipeLog(deps.log, { publication: row.id, endpoint: row.endpoint_display }),
      redact: (t) => redactSecrets(t),
      timing: deps.timing,
      ...(deps.guard ? { lookup: deps.guard.lookup } : {}),
    });
    relay.start();
    return relay;
  };

  async function stop(id: string): Promise<void> {
    const entry = entries.get(id);
    if (!entry?.relay) return;
    const relay = entry.relay;
    entry.relay = null;
    await relay.stop();
  }

  return {
    /** Platform start: every publication known, the enabled ones connecting. */
    async restore(): Promise<number> {
      const rows = await deps.repo.all();
      let started = 0;
      for (const row of rows) {
        entries.set(row.id, { row, relay: row.enabled === 1 ? relayFor(row) : null });
        if (row.enabled === 1) started++;
      }
      if (started > 0) deps.log.info({ lifecycle: true, publications: started }, 'publications reconnecting');
      return started;
    },

    /** A new or changed publication: the old relay stops, a new one starts if enabled. */
    async apply(row: PublicationRow): Promise<void> {
      await stop(row.id);
      entries.set(row.id, { row, relay: row.enabled === 1 ? relayFor(row) : null });
    },

    async remove(id: string): Promise<void> {
      await stop(id);
      entries.delete(id);
    },

    status(id: string): PipeStatus | null {
      return entries.get(id)?.relay?.status() ?? null;
    },

    /** Publications held in memory whose row is gone (e.g. deleted with their server): stopped and returned. */
    async sweep(): Promise<PublicationRow[]> {
      const alive = new Set((await deps.repo.all()).map((r) => r.id));
      const gone = [...entries.values()].filter((e) => !alive.has(e.row.id)).map((e) => e.row);
      for (const row of gone) await this.remove(row.id);
      return gone;
    },

    /** The publication of a managed server, from memory (for the tool's status). */
    forServer(serverId: string): PublicationRow | null {
      for (const e of entries.values()) if (e.row.server_id === serverId) return e.row;
      return null;
    },

    async close(): Promise<void> {
      await Promise.all([...entries.keys()].map((id) => stop(id)));
    },
  };
}

export type PublicationManager = ReturnType<typeof createPublicationManager>;
