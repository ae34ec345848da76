import type { Client } from '@modelcontextprotocol/client';
import type { ClientFeatures } from '../../servers/connection/mcp-connection.js';
import { serverAllowed } from '../access/allowlist.js';
import type { RouterDeps, SessionScope } from './session-router.js';
import type { Upstream } from './upstream.js';
import { deniedError, toProtocolError } from '../mcp-errors.js';
import { builtinUpstream, type SessionUpstream } from './upstream-sources.js';

/** Runs a call to `server` in the session's call context; failures become protocol errors. */
export type SessionCall = <T>(server: string, fn: () => Promise<T>) => Promise<T>;

/** The upstreams one gateway session may use, and its own clients of the built-in servers. */
export interface SessionUpstreams {
  /** The upstream by name (a built-in server's client is opened once per session). */
  get(name: string): Promise<Upstream>;
  /** Like get, with a failure as the protocol error the session answers. */
  reach(name: string): Promise<Upstream>;
  /** The upstreams this session may use now. */
  names(): Promise<string[]>;
  /**
   * Runs `fn` over each upstream; in the aggregate a failing upstream is skipped (logged), on a
   * per-server endpoint its failure is the answer.
   */
  each<T>(fn: (u: Upstream) => Promise<T[]>): Promise<T[][]>;
  /** Tells the session's own upstreams (per_session) that the client's roots changed. */
  rootsChanged(): Promise<void>;
  /** Closes the session's built-in clients and its own upstreams (per_session). */
  close(): Promise<void>;
}

/** The client side of a session, as its own upstreams (per_session) reach it. */
export interface SessionClient {
  features: ClientFeatures;
  /** The upstream session was lost (process died, connection dropped): the client session ends. */
  lost(server: string): void;
}

export function createSessionUpstreams(deps: RouterDeps, scope: SessionScope, client: () => SessionClient | null): SessionUpstreams {
  const aggregate = scope.endpoint === null;
  const builtinClients = new Map<string, Promise<Client>>();
  /** per_session: this session's own upstream of its endpoint's server, opened on first use. */
  let own: Promise<SessionUpstream> | null = null;
  let closed = false;

  const ownUpstream = (name: string): Promise<Upstream> => {
    if (!own) {
      const c = client();
      if (!c) return deps.managed.get(name);
      const opening = deps.managed.openSession(name, c.features, () => {
        own = null;
        c.lost(name);
      });
      own = opening;
      opening.then(
        (s) => {
          // The session ended while its upstream was starting: nothing may outlive it.
          if (closed) void s.close();
        },
        () => {
          if (own === opening) own = null;
        },
      );
    }
    return own.then((s) => s.upstream);
  };

  const get = async (name: string): Promise<Upstream> => {
    const b = deps.builtins.find((x) => x.name === name);
    if (!b) return !aggregate && name === scope.endpoint && scope.id !== null && deps.managed.perSession(name) ? ownUpstream(name) : deps.managed.get(name);
    let client = builtinClients.get(name);
    if (!client) {
      client = b.open(scope.principal);
      builtinClients.set(name, client);
      client.catch(() => builtinClients.delete(name));
    }
    return builtinUpstream(name, await client);
  };

  const names = async (): Promise<string[]> => {
    const list = await deps.allowlist(scope.principal);
    const all = aggregate ? [...deps.managed.running(), ...deps.builtins.map((b) => b.name)] : [scope.endpoint!];
    return [...new Set(all)].filter((n) => serverAllowed(list, n));
  };

  return {
    get,
    reach: (name) => get(name).catch((err: unknown) => Promise.reject(toProtocolError(err, name))),
    names,
    async each<T>(fn: (u: Upstream) => Promise<T[]>): Promise<T[][]> {
      const list = await names();
      if (!aggregate) {
        if (list.length === 0) throw deniedError(`MCP server '${scope.endpoint}' is not available to this API key`);
        try {
          return [await fn(await get(list[0]!))];
        } catch (err) {
          throw toProtocolError(err, list[0]!);
        }
      }
      return Promise.all(
        list.map(async (n) => {
          try {
            return await fn(await get(n));
          } catch (err) {
            deps.log.debug({ server: n, err }, 'gateway: an upstream could not be listed; skipped');
            return [];
          }
        }),
      );
    },
    async rootsChanged() {
      const s = await own?.catch(() => null);
      await s?.connection.rootsChanged().catch(() => {});
    },
    async close() {
      closed = true;
      const mine = own;
      own = null;
      await mine?.then((s) => s.close()).catch(() => {});
      const clients = [...builtinClients.values()];
      builtinClients.clear();
      await Promise.all(clients.map(async (c) => (await c.catch(() => null))?.close().catch(() => {})));
    },
  };
}

/** Whether the upstream declares the capability. */
export function offers(u: Upstream, what: 'tools' | 'resources' | 'prompts'): boolean {
  return Boolean(u.capabilities()?.[what]);
}
