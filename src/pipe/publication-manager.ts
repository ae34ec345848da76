import type { LeaseKeeper } from '../leases/lease-keeper.js';
import { oneAtATime } from '../lib/one-at-a-time.js';
import type { PublicationRow } from './publication.table.js';
import { createPublicationClaims, leaseName, type PublicationEntry } from './publication-claims.js';
import type { PublicationRelayDeps } from './publication-relay.js';
import type { PipeStatus } from './pipe-status.js';
import type { PublicationsRepository } from './publications.repository.js';

export interface PublicationManagerDeps extends PublicationRelayDeps {
  repo: PublicationsRepository;
  /** Which instance runs which publication, when several share the database (lease `publication:<id>`). */
  leases: LeaseKeeper;
  /** Starts a published server here (if enabled and not up); see claim(). */
  startServer?: ((serverId: string) => Promise<void>) | undefined;
}

/** Where a publication runs: the instance holding its lease, and whether this one waits to take over. */
export interface PublicationPlacement {
  running_on: string | null;
  standby: boolean;
}

/**
 * The live side of publications: one pipe relay per enabled publication, each WebSocket session
 * served by a gateway MCP session (`openSession`) with the publication's principal. Holds every
 * publication in memory so a tool's status can show its publication without a query.
 *
 * Several instances may share the database; a publication's endpoint must see one connection, so a
 * relay runs only while this instance holds the lease `publication:<id>`. One lease per publication
 * (rather than one for all): a publication disabled or deleted frees just its own lease, and the
 * lease's lifetime is the relay's. `reconcile()` (every ttl/3) renews the leases held — a lost one
 * stops its relay at once — tries to take the others (standby), and follows changes made by other
 * instances (created, changed, disabled, deleted publications). All changes of relays and leases
 * run one at a time.
 */
export function createPublicationManager(deps: PublicationManagerDeps) {
  const entries = new Map<string, PublicationEntry>();
  const { leases } = deps;
  let closed = false;
  const intervalMs = Math.max(50, Math.floor(leases.ttlMs / 3));
  const serial = oneAtATime();

  const { stopRelay, standDown, claim, reconcileNow } = createPublicationClaims(deps, { entries, serial, closed: () => closed, claimed: () => keepLooking() });

  /**
   * Looks every third of the TTL from the first lease held or the platform's start (whichever comes
   * first): a held lease must be renewed whether or not the platform was booted.
   */
  let looker: NodeJS.Timeout | null = null;
  let looking: Promise<void> | null = null;
  function keepLooking(): void {
    if (looker || closed) return;
    looker = setInterval(() => {
      looking ??= serial(reconcileNow)
        .catch((err: unknown) => deps.log.warn({ err }, 'publications: could not look at leases and publications'))
        .finally(() => (looking = null));
    }, intervalMs);
    looker.unref();
  }

  return {
    /** Platform start: every publication known, the enabled ones connecting here or on standby; then a look every ttl/3. */
    async restore(): Promise<{ running: number; standby: number }> {
      await serial(reconcileNow);
      keepLooking();
      const enabled = [...entries.values()].filter((e) => e.row.enabled === 1);
      const running = enabled.filter((e) => e.relay).length;
      const counts = { running, standby: enabled.length - running };
      if (enabled.length > 0) deps.log.info({ lifecycle: true, publications: counts, instance: leases.holder }, 'publications reconnecting (standby ones run on another instance)');
      return counts;
    },

    /** One look now: renews leases, takes over free publications, follows other instances' changes. */
    reconcile(): Promise<void> {
      return serial(reconcileNow);
    },

    /** A new or changed publication: the old relay stops, a new one starts if enabled (and its lease is ours). */
    apply(row: PublicationRow): Promise<void> {
      return serial(async () => {
        const entry = entries.get(row.id);
        if (entry) await stopRelay(entry);
        const next = { row, relay: null };
        entries.set(row.id, next);
        if (row.enabled === 1) await claim(next);
        else await standDown(row.id);
      });
    },

    remove(id: string): Promise<void> {
      return serial(async () => {
        await standDown(id);
        entries.delete(id);
        leases.forget(leaseName(id));
      });
    },

    /** A secret changed (here or on another instance): relays referencing it resolve their endpoint afresh. */
    secretChanged(name: string): void {
      for (const entry of entries.values()) entry.relay?.secretChanged(name);
    },

    status(id: string): PipeStatus | null {
      return entries.get(id)?.relay?.status() ?? null;
    },

    /**
     * Where a publication runs, as the database says now. The database may still name this instance
     * for a moment after its own deadline passed (its expiry is counted from when the renewal ran, ours
     * from when it was sent); this instance has stopped the relay then, so it does not claim it.
     */
    async placement(row: PublicationRow): Promise<PublicationPlacement> {
      const name = leaseName(row.id);
      const holder = await leases.holderOf(name);
      return placementOf(row, holder === leases.holder && !leases.holds(name) ? null : holder);
    },

    /** The same as this instance saw it at its last look (synchronous, for a tool's status). */
    knownPlacement(row: PublicationRow): PublicationPlacement {
      return placementOf(row, leases.knownHolder(leaseName(row.id)));
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

    /** Stops every relay and releases their leases, so standby instances take over at once. */
    close(): Promise<void> {
      closed = true;
      if (looker) clearInterval(looker);
      return serial(async () => {
        await Promise.all([...entries.keys()].map((id) => standDown(id)));
      });
    },
  };

  function placementOf(row: PublicationRow, holder: string | null): PublicationPlacement {
    return { running_on: row.enabled === 1 ? holder : null, standby: row.enabled === 1 && holder !== leases.holder };
  }
}

export type PublicationManager = ReturnType<typeof createPublicationManager>;
