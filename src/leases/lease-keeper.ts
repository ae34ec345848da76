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
 * the database unreachable, say — this process stops before any other instance can take over.
 */
export function createLeaseKeeper(deps: LeaseKeeperDeps) {
  const { leases, holder, ttlMs } = deps;
  const now = deps.now ?? (() => performance.now());
  const deadlines = new Map<string, number>();
  const others = new Map<string, string | null>();

  return {
    holder,
    ttlMs,

    holds(name: string): boolean {
      return deadlines.has(name);
    },

    /** Who runs `name` as far as this process knows: itself, or the holder seen at its last attempt. */
    knownHolder(name: string): string | null {
      return deadlines.has(name) ? holder : (others.get(name) ?? null);
    },

    /** Takes the lease, or keeps it if ours. False: another instance holds it. */
    async acquire(name: string): Promise<boolean> {
      const asked = now();
      const r = await leases.tryAcquire(name, holder, ttlMs);
      if (r.acquired) {
        deadlines.set(name, asked + ttlMs);
        others.delete(name);
        return true;
      }
      deadlines.delete(name);
      others.set(name, r.holder);
      return false;
    },

    /**
     * Renews every lease held. Returns the ones to give up now: taken by another instance, or not
     * renewable (a database error) with less than `marginMs` left — the next renewal would come too late.
     */
    async renewAll(marginMs: number, onError: (err: unknown, name: string) => void): Promise<string[]> {
      const lost: string[] = [];
      for (const [name, deadline] of [...deadlines]) {
        const asked = now();
        try {
          if (await leases.renew(name, holder, ttlMs)) {
            deadlines.set(name, asked + ttlMs);
            continue;
          }
        } catch (err) {
          onError(err, name);
          if (now() + marginMs < deadline) continue;
        }
        deadlines.delete(name);
        lost.push(name);
      }
      return lost;
    },

    /** Gives the lease up in the database so a standby takes over at once; a no-op unless held. */
    async release(name: string): Promise<void> {
      others.delete(name);
      if (!deadlines.delete(name)) return;
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

    held(): string[] {
      return [...deadlines.keys()];
    },
  };
}

export type LeaseKeeper = ReturnType<typeof createLeaseKeeper>;
