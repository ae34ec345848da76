import type { JSONRPCNotification } from '@modelcontextprotocol/server';
import { serverAllowed } from '../access/allowlist.js';
import type { GatewaySession } from './gateway-sessions.js';
import type { KeyPolicies } from '../access/key-policies.js';
import type { ResourceSubscriptions } from './resource-subscriptions.js';
import { namespacedUri } from '../catalogue/tool-names.js';

/**
 * A managed server's `notifications/resources/updated` goes to exactly the sessions subscribed to
 * that URI on it (and still allowed the server); in the aggregate with the namespaced URI. Each
 * session gets its updates in the order the servers sent them.
 */
export function createResourceUpdates(deps: {
  session: (id: string) => GatewaySession | undefined;
  policies: Pick<KeyPolicies, 'allowlistFor'>;
  subscriptions: Pick<ResourceSubscriptions, 'subscribers'>;
}) {
  const tails = new WeakMap<GatewaySession, Promise<void>>();

  return function forwardResourceUpdated(server: string, notification: JSONRPCNotification): void {
    if (notification.method !== 'notifications/resources/updated') return;
    const uri = (notification.params as { uri?: unknown } | undefined)?.uri;
    if (typeof uri !== 'string') return;
    for (const id of deps.subscriptions.subscribers(server, uri)) {
      const s = deps.session(id);
      if (!s) continue;
      const send = async () => {
        if (!serverAllowed(await deps.policies.allowlistFor(s.principal), server)) return;
        await s.server.sendResourceUpdated({ uri: s.endpoint === null ? namespacedUri(server, uri) : uri });
      };
      tails.set(s, (tails.get(s) ?? Promise.resolve()).then(send).catch(() => {}));
    }
  };
}
