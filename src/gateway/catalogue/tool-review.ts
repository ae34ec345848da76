import type { Logger } from 'pino';
import type { Principal } from '../../auth/principal.js';
import { AppError } from '../../http/app-error.js';
import { buildCatalogue, type CatalogueTool } from './catalogue.js';
import type { ChangeKind } from '../sessions/list-changes.js';
import { EVERY_SERVER, type ServerAccess, type ServerScope } from '../access/server-access.js';
import type { ToolPins } from './tool-pins.js';
import { namespacedName } from './tool-names.js';
import type { BuiltinServer, ManagedSource } from '../sessions/upstream-sources.js';

export interface ToolReviewDeps {
  managed: ManagedSource;
  builtins: readonly BuiltinServer[];
  pins: ToolPins;
  access: Pick<ServerAccess, 'scopeFor'>;
  separator: string;
  log: Pick<Logger, 'debug' | 'info'>;
  /** Tells the sessions a server's list changed (an approved tool appears). */
  changed: (server: string, kind: ChangeKind) => void;
}

/** The admin's view of the gateway's tools: the aggregated catalogue, and approving quarantined definitions. */
export function createToolReview(deps: ToolReviewDeps) {
  const { pins, separator } = deps;

  /** `server__tool` (full or shortened) -> the pinned (server, tool). */
  const resolvePinned = async (name: string): Promise<{ server: string; tool: string }> => {
    const all = await pins.all();
    const hit = all.find((p) => namespacedName(p.server, p.tool, separator) === name || `${p.server}${separator}${p.tool}` === name);
    if (!hit) throw AppError.notFound('gateway tool', name);
    return { server: hit.server, tool: hit.tool };
  };

  return {
    /** The aggregated catalogue across every running server (admin view): mapping and pin state; only the tools `principal` may call. */
    async catalogue(principal: Principal): Promise<CatalogueTool[]> {
      const scope = await deps.access.scopeFor(principal);
      const all = await buildCatalogue({ managed: deps.managed, builtins: deps.builtins, pins, separator, log: deps.log }, principal);
      return all.filter((t) => scope.mayCall(t.server, t.tool));
    },

    /** Approves the pending definition of a quarantined tool (by exposed or full name) that `scope` may call. */
    async approve(name: string, by: string, expectedHash?: string, scope: ServerScope = EVERY_SERVER): Promise<{ server: string; tool: string; state: string }> {
      const target = await resolvePinned(name);
      if (!scope.mayCall(target.server, target.tool)) throw AppError.notFound('gateway tool', name);
      const row = await pins.approve(target.server, target.tool, by, expectedHash);
      deps.log.info({ server: row.server, tool: row.tool, by }, 'gateway: tool definition approved');
      deps.changed(row.server, 'tools');
      return { server: row.server, tool: row.tool, state: row.state };
    },
  };
}
