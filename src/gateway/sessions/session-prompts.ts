import type { GetPromptResult, Prompt } from '@modelcontextprotocol/server';
import type { RouterDeps, SessionScope } from './session-router.js';
import { offers, type SessionCall, type SessionUpstreams } from './session-upstreams.js';
import { namespacedName } from '../catalogue/tool-names.js';
import type { UpstreamControls } from './upstream.js';
import { deniedError } from '../mcp-errors.js';

/** A session's prompts (names namespaced in the aggregate) and the upstream each comes from. */
export function createSessionPrompts(deps: RouterDeps, scope: SessionScope, upstreams: SessionUpstreams, call: SessionCall) {
  const aggregate = scope.endpoint === null;
  const promptRoutes = new Map<string, { server: string; name: string }>();

  const listPrompts = async (): Promise<Prompt[]> => {
    const groups = await upstreams.each(async (u) => {
      if (!offers(u, 'prompts')) return [];
      return (await u.listPrompts()).map((p) => {
        const name = aggregate ? namespacedName(u.name, p.name, deps.separator) : p.name;
        promptRoutes.set(name, { server: u.name, name: p.name });
        return { ...p, name };
      });
    });
    return groups.flat();
  };

  /** The prompt behind an exposed name (namespaced in the aggregate) that this session may use. */
  const promptTarget = async (name: string): Promise<{ server: string; name: string }> => {
    let route = promptRoutes.get(name);
    if (!route) {
      await listPrompts();
      route = promptRoutes.get(name);
    }
    if (!route || !(await upstreams.names()).includes(route.server)) throw deniedError(`unknown prompt '${name}'`);
    return route;
  };

  return {
    promptTarget,
    listPrompts,
    async getPrompt(name: string, args: Record<string, string> | undefined, ctl: UpstreamControls): Promise<GetPromptResult> {
      const target = await promptTarget(name);
      const u = await upstreams.reach(target.server);
      return call(target.server, () => u.getPrompt(target.name, args, ctl));
    },
  };
}
