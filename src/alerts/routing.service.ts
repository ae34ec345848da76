import type { Audited } from '../logs/audited.js';
import { assertPermitted, type SecretCaller } from '../secrets/secret-caller.js';
import type { AlertGroupsRepository } from './alert-groups.repository.js';
import { compileRouteTree, type RouteNode } from './route-tree.js';
import type { RoutingDispatcher } from './routing-dispatcher.js';

/**
 * The routing tree (read and replace) and the dispatcher's clockwork: `start` ticks every second
 * (timer unref'd), `wake` asks for a pass soon (after alerts came in or changed).
 */
export function createRoutingService(deps: { repo: AlertGroupsRepository; dispatcher: RoutingDispatcher; audited: Audited; now: () => Date; onError: (err: unknown) => void }) {
  let timer: NodeJS.Timeout | null = null;
  let woken = false;
  const pass = () => deps.dispatcher.tick().catch(deps.onError);

  return {
    async getTree(caller: SecretCaller): Promise<RouteNode> {
      assertPermitted(caller, 'alerts:read');
      return deps.repo.tree();
    },

    async setTree(tree: RouteNode, caller: SecretCaller): Promise<RouteNode> {
      return deps.audited(caller, { action: 'alert.routing.update', target: { type: 'alert_routing', id: 'root' } }, async () => {
        assertPermitted(caller, 'alerts:manage');
        compileRouteTree(tree);
        await deps.repo.saveTree(tree, deps.now().toISOString());
        return tree;
      });
    },

    start(intervalMs = 1000): void {
      if (timer) return;
      timer = setInterval(() => void pass(), intervalMs);
      timer.unref();
    },

    wake(): void {
      if (!timer || woken) return;
      woken = true;
      setImmediate(() => {
        woken = false;
        void pass();
      }).unref();
    },

    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

export type RoutingService = ReturnType<typeof createRoutingService>;
