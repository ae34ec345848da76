import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../http/app-error.js';
import type { Placement } from '../servers/server-config.js';
import { FORWARDED_HEADER, type ForwardSigner } from './forward-signature.js';
import type { ManagedServersLease } from './managed-servers-lease.js';
import type { RequestForwarder } from './request-forwarder.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Several instances: the route talks to a running managed server, named by this path parameter
     * (absent from the path: the aggregated catalogue, every server). A request landing on an
     * instance that does not run it is forwarded to the one that does (src/cluster/forward-hook.ts).
     */
    forwardBy?: string;
  }
  interface FastifyRequest {
    /** The instance that forwarded this request to this one (signature checked), or undefined. */
    forwardedBy?: string;
  }
}

/** How long a server's placement is remembered by the forwarding (changing it takes effect after this). */
const PLACEMENT_CACHE_MS = 2_000;

/**
 * Runs after authentication. The aggregated catalogue (`/mcp`) goes whole to the lease holder, which
 * runs every server it may list (those of placement 'every' too) and the built-in ones. A request carrying FORWARDED_HEADER must bear a valid signature from an
 * instance of this cluster (else 403): it is served here, never forwarded again, and the caller's
 * address is the one the first instance saw. Otherwise, on a route marked `forwardBy`, a request for
 * a server of placement 'one' (or the aggregated catalogue) that another instance runs is forwarded
 * there and its answer streamed back.
 */
export function registerForwarding(
  app: FastifyInstance,
  deps: {
    signer: ForwardSigner;
    forwarder: RequestForwarder;
    lease: Pick<ManagedServersLease, 'holds' | 'holderUrl'>;
    /** The placement of server `key` (id or name), or null when there is none. */
    placementOf(key: string): Promise<Placement | null>;
    /** Whether any enabled server has placement 'one' (else the aggregated catalogue is served anywhere). */
    anyPlacedOne(): Promise<boolean>;
  },
): Forwarding {
  const cache = new Map<string, { placement: Placement | null; at: number }>();
  const CATALOGUE = '\u0000catalogue';
  const placementOf = async (key: string | undefined): Promise<Placement | null> => {
    const k = key ?? CATALOGUE;
    const hit = cache.get(k);
    if (hit && Date.now() - hit.at < PLACEMENT_CACHE_MS) return hit.placement;
    const placement = key === undefined ? ((await deps.anyPlacedOne()) ? 'one' : 'every') : await deps.placementOf(key);
    if (cache.size > 10_000) cache.clear();
    cache.set(k, { placement, at: Date.now() });
    return placement;
  };

  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers[FORWARDED_HEADER];
    if (header !== undefined) {
      acceptForwarded(request, String(header), deps.signer);
      return;
    }
    const param = request.routeOptions.config.forwardBy;
    if (param === undefined || deps.lease.holds()) return;
    const key = (request.params as Record<string, string | undefined>)[param];
    // An unknown server gets its 404 here; a server of placement 'every' runs here too; so does the
    // aggregated catalogue when every server it may hold does.
    if ((await placementOf(key)) !== 'one') return;
    const what = key === undefined ? 'the aggregated MCP catalogue' : `MCP server '${key}'`;
    const url = await deps.lease.holderUrl(what);
    if (url === null) return;
    await deps.forwarder.forward(request, reply, url, what);
    return reply;
  });

  return {
    runsHere: async (server) => deps.lease.holds() || (await placementOf(server)) !== 'one',
  };
}

export interface Forwarding {
  /** Whether a request for `server` (unforwarded) is served on this instance, as the hook above decides it. */
  runsHere(server: string): Promise<boolean>;
}

function acceptForwarded(request: FastifyRequest, header: string, signer: ForwardSigner): void {
  const checked = signer.verify(header, request.method, request.url);
  if (!checked.ok) {
    request.log.warn({ reason: checked.reason, url: request.url }, 'refused a forwarded request whose signature does not hold');
    throw new AppError('forbidden', `forwarded request refused: ${checked.reason}`);
  }
  request.forwardedBy = checked.claim.from;
  // The audit log records the caller's address, not the forwarding instance's.
  Object.defineProperty(request, 'ip', { value: checked.claim.ip, configurable: true });
}
