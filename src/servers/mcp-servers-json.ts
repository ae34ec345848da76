import { SERVER_NAME, type ServerDefinition } from './server-definition.js';
import type { Placement, ServerTransport, SessionMode } from './server-config.js';

/**
 * The `mcpServers` JSON of Claude Desktop, Cursor and VS Code (VS Code calls the key `servers`):
 * `{"mcpServers": {"name": {"command", "args", "env", "cwd"} | {"url", "headers", "type"}}}`.
 * Our one addition, `session_mode` (`shared` | `per_session`, the gateway's session mode), is
 * written only when it is not the default and ignored by the clients.
 */
export interface McpServersEntry {
  command?: string | undefined;
  args?: string[] | undefined;
  env?: Record<string, string> | undefined;
  cwd?: string | undefined;
  url?: string | undefined;
  headers?: Record<string, string> | undefined;
  type?: string | undefined;
  disabled?: boolean | undefined;
  description?: string | undefined;
  session_mode?: SessionMode | undefined;
  placement?: Placement | undefined;
}

export interface McpServersFile {
  mcpServers: Record<string, McpServersEntry>;
}

/** The fields an import sets; everything else keeps its default (new) or stored value (existing). */
export type ImportedFields = Pick<ServerDefinition, 'name' | 'transport' | 'command' | 'args' | 'env' | 'cwd' | 'url' | 'headers' | 'enabled'> & {
  description?: string | undefined;
  /** Absent: a new server gets the default (`shared`), an existing one keeps its own. */
  session_mode?: SessionMode | undefined;
  /** Absent: a new server gets the default (`one`), an existing one keeps its own. */
  placement?: Placement | undefined;
};

const TYPES: Record<string, ServerTransport> = {
  stdio: 'stdio',
  sse: 'sse',
  http: 'streamable-http',
  'streamable-http': 'streamable-http',
  streamablehttp: 'streamable-http',
  streamable_http: 'streamable-http',
  ws: 'websocket',
  websocket: 'websocket',
};

/** A client's server name as ours: lower case, other characters as `-`, at most 32. Null if nothing is left. */
export function normalizeServerName(source: string): string | null {
  const name = source
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '')
    .slice(0, 32)
    .replace(/[-_]+$/, '');
  return SERVER_NAME.test(name) ? name : null;
}

/** One entry as imported fields, or why it cannot be imported. */
export function fromEntry(source: string, e: McpServersEntry): ImportedFields | { skip: string } {
  const name = normalizeServerName(source);
  if (!name) return { skip: 'the name has no usable characters' };
  let transport: ServerTransport;
  if (e.type !== undefined) {
    const t = TYPES[e.type.toLowerCase()];
    if (!t) return { skip: `unknown type "${e.type}"` };
    transport = t;
  } else if (e.command) {
    transport = 'stdio';
  } else if (e.url) {
    transport = /^wss?:/i.test(e.url) ? 'websocket' : /\/sse\/?(\?|$)/.test(e.url) ? 'sse' : 'streamable-http';
  } else {
    return { skip: 'neither command nor url' };
  }
  const stdio = transport === 'stdio';
  return {
    name,
    transport,
    command: stdio ? (e.command ?? null) : null,
    args: stdio ? (e.args ?? []) : [],
    env: e.env ?? {},
    cwd: stdio ? (e.cwd ?? null) : null,
    url: stdio ? null : (e.url ?? null),
    headers: stdio ? {} : (e.headers ?? {}),
    enabled: e.disabled !== true,
    ...(e.description !== undefined ? { description: e.description } : {}),
    ...(e.session_mode !== undefined ? { session_mode: e.session_mode } : {}),
    ...(e.placement !== undefined ? { placement: e.placement } : {}),
  };
}

/** Whether importing `f` would change `def`. */
export function differs(def: ServerDefinition, f: ImportedFields): boolean {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return (
    def.transport !== f.transport ||
    def.command !== f.command ||
    !same(def.args, f.args) ||
    !same(sorted(def.env), sorted(f.env)) ||
    def.cwd !== f.cwd ||
    def.url !== f.url ||
    !same(sorted(def.headers), sorted(f.headers)) ||
    def.enabled !== f.enabled ||
    (f.description !== undefined && def.description !== f.description) ||
    (f.session_mode !== undefined && (def.session_mode ?? 'shared') !== f.session_mode) ||
    (f.placement !== undefined && (def.placement ?? 'one') !== f.placement)
  );
}

function sorted(r: Record<string, string>): [string, string][] {
  return Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Stored values as they are: `${secret:...}` references stay references, nothing is resolved. */
export function toEntry(def: ServerDefinition): McpServersEntry {
  const extra = { ...(def.enabled ? {} : { disabled: true }), ...(def.session_mode === 'per_session' ? { session_mode: def.session_mode } : {}),
    ...(def.placement === 'every' ? { placement: def.placement } : {}),
  };
  if (def.transport === 'stdio') {
    return {
      command: def.command ?? '',
      args: def.args,
      ...(Object.keys(def.env).length > 0 ? { env: def.env } : {}),
      ...(def.cwd ? { cwd: def.cwd } : {}),
      ...extra,
    };
  }
  return {
    type: def.transport === 'streamable-http' ? 'http' : def.transport,
    url: def.url ?? '',
    ...(Object.keys(def.headers).length > 0 ? { headers: def.headers } : {}),
    ...extra,
  };
}
