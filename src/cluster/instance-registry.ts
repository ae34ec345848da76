import type { InstanceRecord, InstancesRepository } from './instances.repository.js';

export interface InstanceRegistryDeps {
  repo: InstancesRepository;
  instanceId: string;
  /** A heartbeat every this long (a third of the servers lease's TTL). */
  intervalMs: number;
  /** The status of each server this instance runs, as the others show it (secret values redacted). */
  snapshot(): Record<string, unknown>;
  log: { warn(obj: object, msg: string): void };
}

/**
 * This instance in the registry (the `instances` table): a heartbeat with its internal URL and the
 * status of the servers it runs; and what it last read of the others, for forwarding and showing
 * their servers. An instance silent for 3 heartbeats is gone; one silent for a day is forgotten.
 */
export function createInstanceRegistry(deps: InstanceRegistryDeps) {
  const { repo, instanceId, intervalMs, log } = deps;
  const staleMs = intervalMs * 3;
  let baseUrl: string | null = null;
  let timer: NodeJS.Timeout | null = null;
  let others = new Map<string, InstanceRecord>();
  let beating: Promise<void> | null = null;

  const beatOnce = async (): Promise<void> => {
    if (!baseUrl) return;
    try {
      await repo.heartbeat(instanceId, baseUrl, deps.snapshot());
      others = new Map((await repo.allLive(staleMs)).map((r) => [r.id, r]));
    } catch (err) {
      log.warn({ err }, 'instance registry: heartbeat failed; trying again');
    }
  };
  const beat = () => (beating ??= beatOnce().finally(() => (beating = null)));

  return {
    instanceId,
    /** Joins the registry at `url` (after the HTTP server listens), then beats every interval. */
    async start(url: string): Promise<void> {
      baseUrl = url;
      await repo.prune(24 * 60 * 60 * 1000).catch(() => {});
      await beat();
      timer = setInterval(() => void beat(), intervalMs);
      timer.unref();
    },
    /** A server's state changed here: tell the others now rather than at the next beat. */
    beatSoon(): void {
      if (timer) setTimeout(() => void beat(), 100).unref();
    },
    /** The internal URL of live instance `id`, or null (unknown, or silent for 3 heartbeats). */
    async urlOf(id: string): Promise<string | null> {
      if (id === instanceId) return baseUrl;
      const known = others.get(id);
      if (known) return known.baseUrl;
      const fresh = await repo.live(id, staleMs);
      if (fresh) others.set(id, fresh);
      return fresh?.baseUrl ?? null;
    },
    /** The URL instance `id` last advertised, however long ago, or null. */
    async lastUrlOf(id: string): Promise<string | null> {
      return (await repo.live(id, Number.MAX_SAFE_INTEGER / 2))?.baseUrl ?? null;
    },
    /** The status instance `id` last published for `server`, or null. */
    statusAt(id: string, server: string): unknown {
      return others.get(id)?.servers[server] ?? null;
    },
    /** The live instances as last read (this one included once it has joined). */
    list: (): InstanceRecord[] => [...others.values()],
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await beating;
      baseUrl = null;
      await repo.remove(instanceId).catch((err: unknown) => log.warn({ err }, 'instance registry: could not leave; the row goes stale on its own'));
    },
  };
}

export type InstanceRegistry = ReturnType<typeof createInstanceRegistry>;
