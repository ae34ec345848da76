import type { ListKind } from '../../servers/connection/mcp-connection.js';
import type { Supervisor } from '../../servers/supervision/supervisor.js';
import type { GatewaySession } from './gateway-sessions.js';

export type ChangeKind = ListKind | 'all';

/**
 * `notifications/{tools,resources,prompts}/list_changed` for the sessions a server concerns: when
 * it changes a list, starts or stops (supervisor events), or a tool of it is approved (`changed`).
 * Other listeners (the stateless HTTP handler) are told too.
 */
export function createListChanges(deps: { supervisor: Pick<Supervisor, 'events'>; sessions: () => GatewaySession[] }) {
  const listeners = new Set<(server: string, kind: ChangeKind) => void>();

  const notify = (s: GatewaySession, kind: ChangeKind) => {
    const send = (fn: () => Promise<void>) => void fn().catch(() => {});
    const caps = s.server.getCapabilities();
    if ((kind === 'tools' || kind === 'all') && caps.tools) send(() => s.server.sendToolListChanged());
    if ((kind === 'resources' || kind === 'resourceTemplates' || kind === 'all') && caps.resources) send(() => s.server.sendResourceListChanged());
    if ((kind === 'prompts' || kind === 'all') && caps.prompts) send(() => s.server.sendPromptListChanged());
  };

  const changed = (server: string, kind: ChangeKind) => {
    for (const s of deps.sessions()) if (s.router.concerns(server)) notify(s, kind);
    for (const l of listeners) l(server, kind);
  };

  const onListChanged = (e: { server: string; kind: ListKind }) => changed(e.server, e.kind);
  const onTransition = (e: { server: string; from: string; to: string }) => {
    if (e.to === 'running' || e.from === 'running') changed(e.server, 'all');
  };
  deps.supervisor.events.on('list_changed', onListChanged);
  deps.supervisor.events.on('transition', onTransition);

  return {
    changed,
    listen(listener: (server: string, kind: ChangeKind) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
      deps.supervisor.events.off('list_changed', onListChanged);
      deps.supervisor.events.off('transition', onTransition);
    },
  };
}
