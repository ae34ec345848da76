import type { Logger } from 'pino';

/** What a subscription needs of a managed server: its current shared connection. */
export interface SubscribableConnection {
  subscribeResource(uri: string): Promise<void>;
  unsubscribeResource(uri: string): Promise<void>;
}

interface Entry {
  server: string;
  uri: string;
  /** Gateway session ids subscribed to this URI. */
  sessions: Set<string>;
  /** Whether the server's current connection holds a subscription for the URI. */
  upstream: boolean;
  /** Upstream subscribe/unsubscribe of this URI run one after the other, in call order. */
  queue: Promise<void>;
  pending: number;
}

/**
 * Resource subscriptions of many gateway sessions over one shared connection per managed server
 * (URIs as the server knows them). The first session subscribing to a URI subscribes upstream;
 * later ones only register; the last one leaving (unsubscribe or session close) unsubscribes
 * upstream. After a restart, `resubscribe` subscribes the new connection to every URI still held.
 */
export function createResourceSubscriptions(deps: { connection: (server: string) => Promise<SubscribableConnection>; log: Pick<Logger, 'warn' | 'debug'> }) {
  const entries = new Map<string, Entry>();
  const keyOf = (server: string, uri: string) => JSON.stringify([server, uri]);

  const entryFor = (server: string, uri: string): Entry => {
    const key = keyOf(server, uri);
    let e = entries.get(key);
    if (!e) {
      e = { server, uri, sessions: new Set(), upstream: false, queue: Promise.resolve(), pending: 0 };
      entries.set(key, e);
    }
    return e;
  };

  /** Brings the upstream in line with the registrations (serially per URI); rejects with the upstream's error. */
  const sync = (e: Entry): Promise<void> => {
    e.pending++;
    const run = e.queue.then(async () => {
      if (e.sessions.size > 0 && !e.upstream) {
        await (await deps.connection(e.server)).subscribeResource(e.uri);
        e.upstream = true;
      } else if (e.sessions.size === 0 && e.upstream) {
        e.upstream = false;
        await (await deps.connection(e.server)).unsubscribeResource(e.uri);
      }
    });
    e.queue = run.catch(() => {});
    void e.queue.then(() => {
      e.pending--;
      const key = keyOf(e.server, e.uri);
      if (e.pending === 0 && e.sessions.size === 0 && !e.upstream && entries.get(key) === e) entries.delete(key);
    });
    return run;
  };

  const leave = (e: Entry, session: string): Promise<void> => {
    if (!e.sessions.delete(session)) return Promise.resolve();
    return sync(e).catch((err: unknown) => deps.log.debug({ server: e.server, uri: e.uri, err }, 'gateway: upstream unsubscribe failed'));
  };

  return {
    /** Registers `session` for `uri` on `server`; rejects (and does not register) when the upstream refuses. */
    async subscribe(server: string, uri: string, session: string): Promise<void> {
      const e = entryFor(server, uri);
      e.sessions.add(session);
      try {
        await sync(e);
      } catch (err) {
        await leave(e, session);
        throw err;
      }
    },
    async unsubscribe(server: string, uri: string, session: string): Promise<void> {
      const e = entries.get(keyOf(server, uri));
      if (e) await leave(e, session);
    },
    /** The session ended: every subscription of it goes. */
    async dropSession(session: string): Promise<void> {
      await Promise.all([...entries.values()].filter((e) => e.sessions.has(session)).map((e) => leave(e, session)));
    },
    /** Sessions subscribed to `uri` on `server`. */
    subscribers(server: string, uri: string): string[] {
      return [...(entries.get(keyOf(server, uri))?.sessions ?? [])];
    },
    /** The server's connection is gone (stopped, crashed): it holds no subscription any more. */
    lost(server: string): void {
      for (const e of entries.values()) if (e.server === server) e.upstream = false;
    },
    /** The server runs on a new connection: subscribe it to every URI sessions still hold. */
    resubscribe(server: string): Promise<void> {
      const held = [...entries.values()].filter((e) => e.server === server);
      return Promise.all(
        held.map((e) => {
          e.upstream = false;
          return sync(e).catch((err: unknown) => deps.log.warn({ server, uri: e.uri, err }, 'gateway: re-subscribing a resource after a restart failed'));
        }),
      ).then(() => undefined);
    },
  };
}

export type ResourceSubscriptions = ReturnType<typeof createResourceSubscriptions>;
