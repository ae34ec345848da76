import type { LeaseKeeper } from './lease-keeper.js';

export interface LeaseRoleDeps {
  /** A keeper of its own: the role renews every lease its keeper holds. */
  keeper: LeaseKeeper;
  /** The lease: one holder among the instances sharing the database. */
  name: string;
  /** This instance now holds the lease: start the work. */
  onAcquired(): void;
  /** The lease is lost, expired, or given up: stop the work. */
  onReleased(): void | Promise<void>;
  log: { warn(obj: object, msg: string): void };
}

/**
 * Work that one instance at a time does (among the instances on one database): every third of the
 * lease's TTL the holder renews it, the others try to take it; whoever takes it starts the work, and
 * stops it the moment the lease is lost or its deadline passes unrenewed. `stop` stops the work and
 * gives the lease up, so a standby takes over at its next look.
 */
export function createLeaseRole(deps: LeaseRoleDeps) {
  const { keeper, name, log } = deps;
  let timer: NodeJS.Timeout | null = null;
  let looking: Promise<void> | null = null;
  let working = false;

  const release = async () => {
    if (!working) return;
    working = false;
    await deps.onReleased();
  };
  keeper.onExpired((n) => {
    if (n === name) {
      log.warn({ lease: name }, 'lease expired before it could be renewed: stopping its work');
      void release();
    }
  });

  async function lookOnce(): Promise<void> {
    try {
      if (keeper.holds(name)) {
        const lost = await keeper.renewAll((err) => log.warn({ err, lease: name }, 'could not renew the lease; trying again'));
        if (lost.includes(name)) await release();
      } else if (await keeper.acquire(name)) {
        working = true;
        deps.onAcquired();
      }
    } catch (err) {
      log.warn({ err, lease: name }, 'lease: could not take or renew; trying again at the next look');
    }
  }
  const look = () => (looking ??= lookOnce().finally(() => (looking = null)));

  return {
    /** Whether this instance does the work now. */
    holds: (): boolean => working && keeper.holds(name),
    start(): void {
      if (timer) return;
      void look();
      timer = setInterval(() => void look(), Math.max(100, Math.floor(keeper.ttlMs / 3)));
      timer.unref();
    },
    /** Looks now (takes the lease if it is free), or waits for the look in progress. */
    look,
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await looking;
      await release();
      await keeper.release(name).catch((err: unknown) => log.warn({ err, lease: name }, 'could not give the lease up; it expires on its own'));
    },
  };
}

export type LeaseRole = ReturnType<typeof createLeaseRole>;
