import type { LeasesRepository } from './leases.repository.js';

export interface LeaseKeeperDeps {
  leases: LeasesRepository;
  /** This process (see instance-id.ts). */
  holder: string;
  ttlMs: number;
  /** A monotonic clock in ms (default performance.now): wall-clock jumps must not extend a lease. */
  now?: () => number;
}

/**
 * The leases this process holds, and until when it may act on each. The database decides who holds
 * a lease (by its own clock); this process counts its own deadline from the moment it *sent* the
 * last successful acquire or renew, on its monotonic clock. The database's expiry can only be later
 * than that (the statement ran after it was sent), so when the deadline passes without a renewal —
 * the database unreachable or a query hanging — `onExpired` tells the user to stop at once, before
 * any other instance can take over. A timer watches each deadline, apart from any query in flight.
 */
export function createLeaseKeeper(deps: LeaseKeeperDeps) {
  const { leases, holder, ttlMs } = deps;
  const now = deps.now ?? (() => performance.now());
  const deadlines = new Map<string, number>();
  const watchdogs = new Map<string, NodeJS.Timeout>();
  const others = new Map<string, string | null>();
  let expired: (name: string) => void = () => {};

  const drop = (name: string): boolean => {
    clearTimeout(watchdogs.get(name));
    watchdogs.delete(name);
    return deadlines.delete(name);
  };

  /** Held until `asked + ttl`; false if that is already past (the answer came too late to act on). */
  const hold = (name: string, asked: number): boolean => {
    const deadline = asked + ttlMs;
    const left = deadline - now();
    drop(name);
    if (left <= 0) return false;
    deadlines.set(name, deadline);
    const t = setTimeout(() => {
      watchdogs.delete(name);
      if (deadlines.get(name) !== deadline) return;
      deadlines.delete(name);
      expired(name);
    }, left);
    t.unref();
    watchdogs.set(name, t);
    return true;
  };

  return {
    holder,
    ttlMs,

    /** Called when a lease's deadline passed without a renewal (the lease is then no longer held). */
    onExpired(fn: (name: string) => void): void {
      expired = fn;
    },

    holds(name: string): boolean {
      return deadlines.has(name);
    },

    /** Who runs `name` as far as this process knows: itself, or the holder seen at its last attempt. */
    knownHolder(name: string): string | null {
      return deadlines.has(name) ? holder : (others.get(name) ?? null);
    },

    /** Takes the lease, or keeps it if ours. False: another instance holds it (or the answer came too late). */
    async acquire(name: string): Promise<boolean> {
      const asked = now();
      const r = await leases.tryAcquire(name, holder, ttlMs);
      if (r.acquired) {
        others.delete(name);
        return hold(name, asked);
      }
      drop(name);
      others.set(name, r.holder);
      return false;
    },

    /**
     * Renews every lease held. Returns the ones taken by another instance (or renewed too late): to
     * give up now. A renewal that fails (a database error) is retried at the next call; the watchdog
     * ends the lease if none succeeds in time.
     */
    async renewAll(onError: (err: unknown, name: string) => void): Promise<string[]> {
      const lost: string[] = [];
      for (const name of [...deadlines.keys()]) {
        const asked = now();
        let renewed: boolean;
        try {
          renewed = await leases.renew(name, holder, ttlMs);
        } catch (err) {
          onError(err, name);
          continue;
        }
        if (!(renewed && deadlines.has(name) && hold(name, asked))) {
          drop(name);
          lost.push(name);
        }
      }
      return lost;
    },

    /** Gives the lease up in the database so a standby takes over at once; a no-op unless held. */
    async release(name: string): Promise<void> {
      others.delete(name);
      if (!drop(name)) return;
      await leases.release(name, holder);
    },

    /** Drops what is known of `name` (its job is gone). */
    forget(name: string): void {
      others.delete(name);
    },

    /** The database's view: the holder of an unexpired lease, or null. */
    holderOf(name: string): Promise<string | null> {
      return leases.holderOf(name);
    },
  };
}

export type LeaseKeeper = ReturnType<typeof createLeaseKeeper>;
