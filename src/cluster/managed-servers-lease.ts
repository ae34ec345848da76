import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../http/app-error.js';
import { createLeaseKeeper } from '../leases/lease-keeper.js';
import { createLeaseRole } from '../leases/lease-role.js';
import { createLeasesRepository, type LeasesRepository } from '../leases/leases.repository.js';
import type { Placement } from '../servers/server-config.js';
import type { ServerStatus } from '../servers/supervision/server-status.js';
import type { ServersPlacement } from '../servers/server-placement.js';
import type { InstanceRegistry } from './instance-registry.js';

/** The lease whose holder runs every managed server of placement 'one'. */
export const SERVERS_LEASE = 'managed-servers';

export interface ManagedServersLeaseDeps {
  db: Kysely<Database>;
  instanceId: string;
  ttlMs: number;
  registry: InstanceRegistry;
  /** This instance now holds the lease: start the servers of placement 'one'. */
  onAcquired(): void;
  /** It lost the lease (or stops): stop them. */
  onReleased(): Promise<void>;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

/**
 * Where managed servers run among instances on one database. One lease, `managed-servers`: its holder
 * runs every server of placement 'one', so a request for any of them (and the aggregated `/mcp`) has
 * exactly one instance to go to. Renewed every third of the TTL; when the holder dies, a standby
 * takes the lease within the TTL and starts them.
 */
export function createManagedServersLease(deps: ManagedServersLeaseDeps) {
  const { instanceId, registry, log } = deps;
  const leases = createLeasesRepository(deps.db);
  const keeper = createLeaseKeeper({ leases, holder: instanceId, ttlMs: deps.ttlMs });
  const role = createLeaseRole({ keeper, name: SERVERS_LEASE, onAcquired: deps.onAcquired, onReleased: deps.onReleased, log });
  // Until the platform arms it (server.ts), every server runs here: one process, tests, tools.
  let armed = false;
  const here = () => !armed || role.holds();
  const unavailable = (why: string) => new AppError('unavailable', `${why}; another instance takes over within ${Math.ceil(deps.ttlMs / 1000)} s, try again`, { retryAfterSeconds: 2 });

  const placement: ServersPlacement = {
    instanceId,
    runsHere: (p: Placement) => p === 'every' || here(),
    elsewhere(server: string) {
      const instance = keeper.knownHolder(SERVERS_LEASE);
      return { instance, status: instance ? (registry.statusAt(instance, server) as ServerStatus | null) : null };
    },
  };

  return {
    placement,
    /** From now on the servers of placement 'one' run only where the lease is held (call before the servers boot). */
    arm(): void {
      armed = true;
    },
    /** Whether this instance runs the servers of placement 'one'. */
    holds: (): boolean => here(),
    holder: (): string | null => keeper.knownHolder(SERVERS_LEASE),
    /**
     * Call once this instance is in the registry. Takes the lease at once from a dead holder that was
     * this very instance before a crash, then starts looking.
     */
    async start(): Promise<void> {
      await takeFromDeadPredecessor(leases, instanceId, registry, log).catch((err: unknown) => log.warn({ err }, 'managed servers lease: could not check its holder'));
      role.start();
      await role.look();
    },
    stop: () => role.stop(),
    /**
     * The internal URL of the instance running the servers of placement 'one', or null when it is
     * this one. Throws 503 when none is known or it is not in the registry (a takeover in progress).
     */
    async holderUrl(what: string): Promise<string | null> {
      if (here()) return null;
      let holder = keeper.knownHolder(SERVERS_LEASE);
      if (!holder) {
        await role.look();
        if (role.holds()) return null;
        holder = keeper.knownHolder(SERVERS_LEASE);
      }
      if (!holder) throw unavailable(`no instance runs ${what} now`);
      const url = await registry.urlOf(holder);
      if (!url) throw unavailable(`the instance running ${what} (${holder}) is silent`);
      return url;
    },
  };
}

export type ManagedServersLease = ReturnType<typeof createManagedServersLease>;

/**
 * With one instance, a restart after a crash (`kill -9`, power loss) would wait out the TTL before
 * its servers start again: the lease still names the dead process. A holder that advertised this
 * instance's own URL, on this host name, with a pid that no longer exists, was this instance before
 * the crash (the URL is ours now, so it cannot be serving): its lease is given up at once. Any other
 * holder expires as usual.
 */
async function takeFromDeadPredecessor(leases: LeasesRepository, instanceId: string, registry: InstanceRegistry, log: ManagedServersLeaseDeps['log']): Promise<void> {
  const holder = await leases.holderOf(SERVERS_LEASE);
  if (!holder || holder === instanceId) return;
  const [host, pid] = holder.split(':');
  if (host !== instanceId.split(':')[0] || !pid || !/^\d+$/.test(pid) || processAlive(Number(pid))) return;
  const [theirs, ours] = await Promise.all([registry.lastUrlOf(holder), registry.urlOf(instanceId)]);
  if (!theirs || theirs !== ours) return;
  await leases.release(SERVERS_LEASE, holder);
  log.info({ lifecycle: true, holder }, 'managed servers lease: its holder on this host is gone; taken over at once');
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
