import type { Server, Transport } from '@modelcontextprotocol/server';
import type { Principal } from '../../auth/principal.js';
import type { SessionTransport } from '../gateway-metrics.js';
import type { SessionRouter } from './session-router.js';

/** One open gateway session: its SDK server, its router, and who opened it. */
export interface GatewaySession {
  id: string;
  principal: Principal;
  caller: string;
  endpoint: string | null;
  transport: SessionTransport;
  createdAt: number;
  lastSeenAt: number;
  server: Server;
  /** The client-facing transport as given (e.g. the Streamable HTTP transport that handles requests). */
  wire: Transport;
  router: SessionRouter;
  /** Ends the session: closes its transport and its built-in clients. Idempotent. */
  close(): Promise<void>;
}

/** The public view of a session (REST): never the transport or the key. */
export interface SessionView {
  id: string;
  endpoint: string;
  transport: SessionTransport;
  caller: string;
  principal: { type: Principal['type']; id: string; name: string };
  client: { name: string; version: string } | null;
  protocol_version: string | null;
  created_at: string;
  last_seen_at: string;
}

/** Whose a session is: the key (or user) that opened it; another one replaying the id gets 404. */
export function ownerOf(p: Principal): string {
  return `${p.type}:${p.id}`;
}

export function createSessionRegistry() {
  const sessions = new Map<string, GatewaySession>();
  return {
    add(s: GatewaySession) {
      sessions.set(s.id, s);
    },
    remove(id: string): GatewaySession | undefined {
      const s = sessions.get(id);
      sessions.delete(id);
      return s;
    },
    /** The session, only for the principal that opened it and on the same endpoint. */
    find(id: string, principal: Principal, endpoint: string | null): GatewaySession | undefined {
      const s = sessions.get(id);
      if (!s || ownerOf(s.principal) !== ownerOf(principal) || s.endpoint !== endpoint) return undefined;
      s.lastSeenAt = Date.now();
      return s;
    },
    /** The session, only for the principal that opened it (any endpoint). */
    findOwned(id: string, principal: Principal): GatewaySession | undefined {
      const s = sessions.get(id);
      if (!s || ownerOf(s.principal) !== ownerOf(principal)) return undefined;
      s.lastSeenAt = Date.now();
      return s;
    },
    get(id: string): GatewaySession | undefined {
      return sessions.get(id);
    },
    all(): GatewaySession[] {
      return [...sessions.values()];
    },
    get size() {
      return sessions.size;
    },
  };
}

export type SessionRegistry = ReturnType<typeof createSessionRegistry>;

export function toSessionView(s: GatewaySession): SessionView {
  const client = s.server.getClientVersion();
  return {
    id: s.id,
    endpoint: s.endpoint === null ? '/mcp' : `/mcp/${s.endpoint}`,
    transport: s.transport,
    caller: s.caller,
    principal: { type: s.principal.type, id: s.principal.id, name: s.principal.name },
    client: client ? { name: client.name, version: client.version } : null,
    protocol_version: s.server.getNegotiatedProtocolVersion() ?? null,
    created_at: new Date(s.createdAt).toISOString(),
    last_seen_at: new Date(s.lastSeenAt).toISOString(),
  };
}
