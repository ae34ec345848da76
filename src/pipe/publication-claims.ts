import type { PublicationManagerDeps } from './publication-manager.js';
import type { PublicationRow } from './publication.table.js';
import { startPublicationRelay, type PublicationRelay } from './publication-relay.js';

/** A publication as the manager holds it. */
export interface PublicationEntry {
  row: PublicationRow;
  /** Running here: this instance holds the publication's lease. */
  relay: PublicationRelay | null;
}

const LEASE_PREFIX = 'publication:';
export const leaseName = (id: string) => `${LEASE_PREFIX}${id}`;
const idOf = (lease: string) => lease.slice(LEASE_PREFIX.length);

const changed = (a: PublicationRow, b: PublicationRow) => a.updated_at !== b.updated_at || a.endpoint !== b.endpoint || a.enabled !== b.enabled;

export interface ClaimsControl {
  entries: Map<string, PublicationEntry>;
  /** Runs the manager's changes one at a time. */
  serial<T>(fn: () => Promise<T>): Promise<T>;
  closed(): boolean;
  /** A relay started here (its lease must be renewed from now on). */
  claimed(): void;
}

/**
 * Which publications run here: a relay while this instance holds the publication's lease, none
 * otherwise (see createPublicationManager). Callers run these one at a time (`serial`).
 */
export function createPublicationClaims(deps: PublicationManagerDeps, ctl: ClaimsControl) {
  const { entries } = ctl;
  const { leases } = deps;

  const relayFor = (row: PublicationRow): PublicationRelay =>
    startPublicationRelay(deps, row, () => void ctl.serial(() => standDown(row.id)));

  const stopRelay = async (entry: PublicationEntry): Promise<void> => {
    const relay = entry.relay;
    if (!relay) return;
    entry.relay = null;
    await relay.stop();
  };

  /** Stops the relay here and frees the lease (a standby takes over at its next look). */
  async function standDown(id: string): Promise<void> {
    const entry = entries.get(id);
    if (entry) await stopRelay(entry);
    try {
      await leases.release(leaseName(id));
    } catch (err) {
      deps.log.warn({ err, publication: id }, 'publication: could not release its lease; it expires on its own');
    }
  }

  /** Runs an enabled publication here if its lease can be had; otherwise stays on standby. */
  async function claim(entry: PublicationEntry): Promise<void> {
    if (ctl.closed() || entry.row.enabled !== 1 || entry.relay) return;
    try {
      if (!(await leases.acquire(leaseName(entry.row.id)))) return;
    } catch (err) {
      deps.log.warn({ err, publication: entry.row.id }, 'publication: could not take its lease; trying again at the next look');
      return;
    }
    // The published server runs where its publication runs: on the instance that published it, and
    // on a standby that took over (which may never have started it). Not awaited: a slow start must
    // not hold up the renewal of other leases; the relay's sessions wait for it.
    const serverId = entry.row.target === 'server' ? entry.row.server_id : null;
    if (serverId && deps.startServer) {
      deps.startServer(serverId).catch((err: unknown) => deps.log.warn({ err, publication: entry.row.id }, 'publication: could not start its server here'));
    }
    entry.relay = relayFor(entry.row);
    ctl.claimed();
  }

  // Not renewed in time (the database unreachable, a query hanging): stop now, outside the queue,
  // which may be waiting on that very query. Another instance may take the lease from here on.
  leases.onExpired((name) => {
    const entry = entries.get(idOf(name));
    if (!entry?.relay) return;
    deps.log.warn({ lifecycle: true, publication: entry.row.id }, 'publication: its lease could not be renewed in time, disconnected here');
    stopRelay(entry).catch((err: unknown) => deps.log.error({ err, publication: entry.row.id }, 'publication: stopping its relay failed'));
  });

  /** One look at leases and rows (see the factory's comment). */
  async function reconcileNow(): Promise<void> {
    if (ctl.closed()) return;
    const lost = await leases.renewAll((err, name) => deps.log.warn({ err, lease: name }, 'publication: could not renew its lease'));
    for (const name of lost) {
      const entry = entries.get(idOf(name));
      if (entry?.relay) deps.log.warn({ lifecycle: true, publication: entry.row.id }, 'publication: its lease was taken by another instance, disconnected here');
      if (entry) await stopRelay(entry);
    }
    const rows = await deps.repo.all();
    const alive = new Set(rows.map((r) => r.id));
    // Deleted elsewhere: stopped here at once; the entry stays for sweep() (which deletes its token secret).
    for (const entry of entries.values()) if (!alive.has(entry.row.id) && (entry.relay || leases.holds(leaseName(entry.row.id)))) await standDown(entry.row.id);
    for (const row of rows) {
      let entry = entries.get(row.id);
      if (!entry) entries.set(row.id, (entry = { row, relay: null }));
      else if (changed(entry.row, row)) {
        await stopRelay(entry);
        entry.row = row;
      }
      if (row.enabled === 1) await claim(entry);
      else if (leases.holds(leaseName(row.id))) await standDown(row.id);
    }
  }

  return { stopRelay, standDown, claim, reconcileNow };
}
