import type { ReadResourceResult, Resource, ResourceTemplateType } from '@modelcontextprotocol/server';
import type { RouterDeps, SessionScope } from './session-router.js';
import { offers, type SessionCall, type SessionUpstreams } from './session-upstreams.js';
import { namespacedUri, parseNamespacedUri } from '../catalogue/tool-names.js';
import type { Upstream, UpstreamControls } from './upstream.js';
import { deniedError } from '../mcp-errors.js';

/** A session's resources and templates (URIs namespaced in the aggregate), reads and subscriptions. */
export function createSessionResources(deps: RouterDeps, scope: SessionScope, upstreams: SessionUpstreams, call: SessionCall) {
  const aggregate = scope.endpoint === null;

  const routeUri = (uri: string): { server: string; uri: string } => {
    if (!aggregate) return { server: scope.endpoint!, uri };
    const parsed = parseNamespacedUri(uri);
    if (!parsed) throw deniedError(`unknown resource '${uri}' (gateway resource URIs look like mcps://{server}/{uri})`);
    return parsed;
  };

  /** The upstream behind a URI (namespaced in the aggregate) that this session may use. */
  const resourceTarget = async (uri: string): Promise<{ server: string; uri: string; u: Upstream }> => {
    const target = routeUri(uri);
    if (!(await upstreams.names()).includes(target.server)) throw deniedError(`unknown resource '${uri}'`);
    const u = await upstreams.reach(target.server);
    return { ...target, u };
  };

  return {
    resourceTarget,
    async listResources(): Promise<Resource[]> {
      const groups = await upstreams.each(async (u) =>
        offers(u, 'resources') ? (await u.listResources()).map((r) => (aggregate ? { ...r, uri: namespacedUri(u.name, r.uri) } : r)) : [],
      );
      return groups.flat();
    },
    async listResourceTemplates(): Promise<ResourceTemplateType[]> {
      const groups = await upstreams.each(async (u) =>
        offers(u, 'resources')
          ? (await u.listResourceTemplates().catch(() => [])).map((t) => (aggregate ? { ...t, uriTemplate: namespacedUri(u.name, t.uriTemplate) } : t))
          : [],
      );
      return groups.flat();
    },
    async readResource(uri: string, ctl: UpstreamControls): Promise<ReadResourceResult> {
      const target = await resourceTarget(uri);
      const result = await call(target.server, () => target.u.readResource(target.uri, ctl));
      if (!aggregate) return result;
      return { ...result, contents: result.contents.map((c) => ({ ...c, uri: namespacedUri(target.server, c.uri) })) };
    },
    /**
     * `resources/subscribe`: registered on the server's shared connection under this session (the
     * first subscriber subscribes upstream). Refused for a server that does not support it.
     */
    async subscribeResource(uri: string): Promise<void> {
      if (scope.id === null) throw deniedError('resource subscriptions need a session');
      const target = await resourceTarget(uri);
      if (target.u.kind !== 'managed' || !target.u.capabilities()?.resources?.subscribe) {
        throw deniedError(`MCP server '${target.server}' does not support resource subscriptions`);
      }
      await call(target.server, () => deps.subscriptions.subscribe(target.server, target.uri, scope.id!));
    },
    async unsubscribeResource(uri: string): Promise<void> {
      if (scope.id === null) return;
      const target = routeUri(uri);
      await deps.subscriptions.unsubscribe(target.server, target.uri, scope.id);
    },
  };
}
