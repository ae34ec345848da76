import type { Audited } from '../logs/audited.js';
import { assertPermitted, type SecretCaller } from '../secrets/secret-caller.js';
import type { AlertGroupsRepository } from './alert-groups.repository.js';
import { compileRouteTree, type RouteNode } from './route-tree.js';
import type { RoutingDispatcher } from './routing-dispatcher.js';

/**
 * The routing tree (read and replace) and the dispatcher's clockwork: `start` ticks every second
 * (timer unref'd), `wake` asks for a pass soon (after alerts came in or changed); never more than one
 * pass per interval.
 */
export function createRoutingService(deps: { repo: AlertGroupsRepository; dispatcher: RoutingDispatcher; audited: Audited; now: () => Date; onError: (err: unknown) => void }) {
  let timer: NodeJS.Timeout | null = null;
  let interval = 1000;
  let woken = false;
  let lastPass = -Infinity;
  let wantFull = false;
  const pass = () => {
    lastPass = performance.now();
    const mode = wantFull ? 'full' : 'changes';
    wantFull = false;
    return deps.dispatcher.tick(mode).catch(deps.onError);
  };

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
      interval = intervalMs;
      timer = setInterval(() => void pass(), intervalMs);
      timer.unref();
    },

    /**
     * Asks for a pass soon: alerts came in (`full` false: the next pass looks at them), or alerts
     * changed by hand (acked, resolved: the next pass is a full one). At most one pass per interval:
     * a burst of webhook posts costs no more than the ticking does.
     */
    wake(full = false): void {
      if (full) wantFull = true;
      if (!timer || woken) return;
      woken = true;
      const wait = Math.max(0, lastPass + interval - performance.now());
      setTimeout(() => {
        woken = false;
        if (timer && performance.now() - lastPass >= interval / 2 || wantFull) void pass();
      }, wait).unref();
    },

    /** Stops the ticking; resolves once the pass in flight (if any) has finished. */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await deps.dispatcher.idle();
    },
  };
}

export type RoutingService = ReturnType<typeof createRoutingService>;
