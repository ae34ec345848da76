import type { OutboundGuard } from '../lib/outbound-guard.js';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { PipeTiming } from '../config.js';
import type { Database } from '../db/database.js';
import type { SecretsService } from '../secrets/secrets.service.js';
import { createLeaseKeeper } from '../leases/lease-keeper.js';
import { createLeasesRepository } from '../leases/leases.repository.js';
import { createServersRepository } from '../servers/servers.repository.js';
import type { OpenSession } from './gateway-session.js';
import { createPrincipalResolver } from './publication-principal.js';
import { createPublicationManager } from './publication-manager.js';
import { createPublicationsRepository } from './publications.repository.js';
import { createPublicationsService, type PublicationsService } from './publications.service.js';

export interface PipeRuntimeDeps {
  db: Kysely<Database>;
  log: Logger;
  timing: PipeTiming;
  secrets: Pick<SecretsService, 'get' | 'set' | 'delete' | 'resolveTracked' | 'events'>;
  /** The gateway's in-process sessions (see gateway-session.ts). */
  openSession: OpenSession;
  /** The platform's outbound guard for endpoints (checked when saved, and at every connection). */
  guard?: Pick<OutboundGuard, 'assertUrl' | 'check' | 'lookup'>;
  /** How often publications of deleted servers are cleaned up (default 60 s). */
  sweepIntervalMs?: number;
  /** This process, as a lease holder (see src/leases/instance-id.ts). */
  instanceId: string;
  /** How long a publication's lease lasts unrenewed; renewed (and standby retries) every third of it. */
  leaseTtlMs: number;
  /** Starts a published server here (if enabled and not up) when its publication starts running here. */
  startServer?: (serverId: string) => Promise<void>;
}

export interface PipeRuntime {
  publications: PublicationsService;
  /** Platform start: enabled publications reconnect (here, or on standby if another instance runs them). */
  boot(): Promise<void>;
  /** One look now at leases and publications (runs by itself every third of the lease TTL). */
  reconcile(): Promise<void>;
  /** Closes every publication's WebSocket and gateway session and releases their leases. */
  close(): Promise<void>;
}

const SECRET_CHANGES = ['secret.created', 'secret.updated', 'secret.rotated', 'secret.deleted', 'secret.restored'] as const;

/** Wires the platform side of mcp_pipe: publications, their relays, and the service over them. */
export function createPipeRuntime(deps: PipeRuntimeDeps): PipeRuntime {
  const repo = createPublicationsRepository(deps.db);
  const servers = createServersRepository(deps.db);
  const principals = createPrincipalResolver(deps.db);
  const manager = createPublicationManager({
    repo,
    servers,
    principals,
    openSession: deps.openSession,
    // Resolved once per relay, and again after a referenced secret changes (see secretChanged below).
    resolveEndpoint: (stored) => deps.secrets.resolveTracked(stored, { reason: 'publication connect' }),
    log: deps.log,
    timing: deps.timing,
    startServer: deps.startServer,
    guard: deps.guard,
    leases: createLeaseKeeper({ leases: createLeasesRepository(deps.db), holder: deps.instanceId, ttlMs: deps.leaseTtlMs }),
  });
  const publications = createPublicationsService({ repo, servers, manager, principals, secrets: deps.secrets, guard: deps.guard });
  // A rotated or restored token is picked up at the next reconnect.
  const unsubscribe = SECRET_CHANGES.map((event) => deps.secrets.events.on(event, (e) => manager.secretChanged(e.name)));
  let closing: Promise<void> | null = null;
  let sweeper: NodeJS.Timeout | null = null;
  return {
    publications,
    async boot() {
      await manager.restore();
      sweeper = setInterval(() => {
        publications.sweep().catch((err: unknown) => deps.log.error({ err }, 'publications: sweep failed'));
      }, deps.sweepIntervalMs ?? 60_000);
      sweeper.unref();
    },
    reconcile: () => manager.reconcile(),
    close() {
      if (sweeper) clearInterval(sweeper);
      for (const off of unsubscribe) off();
      closing ??= manager.close();
      return closing;
    },
  };
}
