import type { Supervisor } from '../../servers/supervision/supervisor.js';
import type { SessionRouter, SessionScope } from './session-router.js';
import type { SessionServerFace } from './session-server.js';
import { toProtocolError } from '../mcp-errors.js';
import type { BuiltinServer } from './upstream-sources.js';

/**
 * What a per-server endpoint says it is: the upstream's own server info, instructions and
 * capabilities (the aggregate is the gateway itself). A failure closes the router and throws a
 * ProtocolError naming the server.
 */
export async function upstreamFace(
  deps: { supervisor: Pick<Supervisor, 'connection'>; builtins: readonly BuiltinServer[] },
  scope: SessionScope,
  router: SessionRouter,
): Promise<SessionServerFace> {
  if (scope.endpoint === null) return {};
  const b = deps.builtins.find((x) => x.name === scope.endpoint);
  try {
    if (b) {
      const client = await b.open(scope.principal);
      // A built-in's client is one per session: the gateway holds no subscriptions on it.
      const caps = client.getServerCapabilities();
      const upstreamCapabilities = caps?.resources ? { ...caps, resources: { ...caps.resources, subscribe: false } } : caps;
      const face = { info: client.getServerVersion(), instructions: client.getInstructions(), upstreamCapabilities };
      await client.close().catch(() => {});
      return face;
    }
    const conn = await deps.supervisor.connection(scope.endpoint);
    return { info: conn.serverInfo(), instructions: conn.instructions(), upstreamCapabilities: conn.capabilities() };
  } catch (err) {
    await router.close();
    throw toProtocolError(err, scope.endpoint);
  }
}
