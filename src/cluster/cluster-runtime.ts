import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { ServersService } from '../servers/servers.service.js';
import type { Supervisor } from '../servers/supervision/supervisor.js';
import { createForwardSigner } from './forward-signature.js';
import { createInstanceRegistry } from './instance-registry.js';
import { createInstancesRepository } from './instances.repository.js';
import { createManagedServersLease } from './managed-servers-lease.js';
import { createRequestForwarder } from './request-forwarder.js';

export interface ClusterRuntimeDeps {
  db: Kysely<Database>;
  instanceId: string;
  config: { serversLeaseTtlMs: number; secretKey: string };
  /** The servers domain, read once the platform starts (it is built after this). */
  servers: () => { servers: ServersService; supervisor: Supervisor; redact(text: string): string };
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/**
 * Several instances on one database (docs/DEPLOYMENT.md, "Where managed servers run"): the instance
 * registry, the `managed-servers` lease, and the forwarding of requests to the instance that runs the
 * server they are for. With a single instance it holds the lease, forwards nothing and changes nothing.
 */
export function createClusterRuntime(deps: ClusterRuntimeDeps) {
  const { instanceId, log } = deps;
  const intervalMs = Math.max(100, Math.floor(deps.config.serversLeaseTtlMs / 3));
  const registry = createInstanceRegistry({ repo: createInstancesRepository(deps.db), instanceId, intervalMs, snapshot: () => snapshot(), log });
  const lease = createManagedServersLease({
    db: deps.db,
    instanceId,
    ttlMs: deps.config.serversLeaseTtlMs,
    registry,
    onAcquired: () => {
      log.info({ lifecycle: true }, 'this instance runs the managed servers of placement one');
      void deps.servers().servers.autoStart('one').catch((err: unknown) => log.error({ err }, 'auto-start after taking the managed servers lease failed'));
      registry.beatSoon();
    },
    // The lease is no longer held: the servers of placement 'one' stop here.
    onReleased: () => deps.servers().servers.reconcile(),
    log,
  });
  const signer = createForwardSigner(deps.config.secretKey);
  const forwarder = createRequestForwarder({ signer, instanceId });
  let reconciling: NodeJS.Timeout | null = null;
  let stopping: Promise<void> | null = null;

  /** What the others show of the servers running here (secret values redacted, as this instance shows them). */
  function snapshot(): Record<string, unknown> {
    const { supervisor, redact } = deps.servers();
    const out: Record<string, unknown> = {};
    for (const s of supervisor.list()) {
      if (s.state === 'stopped') continue;
      out[s.name] = {
        ...s,
        lastError: s.lastError === null ? null : redact(s.lastError),
        transitions: s.transitions.slice(-10).map((t) => ({ ...t, reason: redact(t.reason) })),
      };
    }
    return out;
  }

  return {
    placement: lease.placement,
    lease,
    registry,
    signer,
    forwarder,
    /** Several instances from now on: servers of placement 'one' run only on the lease holder. Before the servers boot. */
    arm: () => lease.arm(),
    /** Joins the registry at `url` (the HTTP server listens), takes or watches the lease, and keeps placements true. */
    async start(url: string): Promise<void> {
      deps.servers().supervisor.events.on('transition', () => registry.beatSoon());
      await registry.start(url);
      await lease.start();
      reconciling = setInterval(() => void deps.servers().servers.reconcile().catch(() => {}), intervalMs);
      reconciling.unref();
    },
    /** Gives the lease up (a standby takes over at its next look) and leaves the registry. */
    stop(): Promise<void> {
      stopping ??= (async () => {
        if (reconciling) clearInterval(reconciling);
        reconciling = null;
        await lease.stop();
        await registry.stop();
        await forwarder.close();
      })();
      return stopping;
    },
  };
}

export type ClusterRuntime = ReturnType<typeof createClusterRuntime>;
