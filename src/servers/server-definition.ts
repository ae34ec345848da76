import { AppError, type FieldError } from '../http/app-error.js';
import { CONTROL_CHARACTERS } from '../lib/outbound-guard.js';
import { findSecretReferences } from '../secrets/secret-reference.js';
import type { Placement, RestartPolicy, ServerConfig, ServerTransport, SessionMode } from './server-config.js';
import type { ServerRow } from './server.table.js';

/** A managed server as the service sees it (the row with its JSON columns parsed). */
export interface ServerDefinition {
  name: string;
  description: string | null;
  transport: ServerTransport;
  command: string | null;
  args: string[];
  env: Record<string, string>;
  cwd: string | null;
  url: string | null;
  headers: Record<string, string>;
  enabled: boolean;
  auto_start: boolean;
  restart_policy: RestartPolicy;
  max_retries: number;
  timeout_ms: number;
  tags: string[];
  /** Absent: 'shared'. */
  session_mode?: SessionMode;
  /** Absent: 'one'. */
  placement?: Placement;
}

export const SERVER_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/**
 * `import` and `export` would be shadowed by `/tools/import` and `/tools/export`; `gateway` and
 * `mcps` name the gateway's and the log service's rows in the protocol log (and `mcps` is the
 * built-in server on /mcp).
 */
export const RESERVED_NAMES: readonly string[] = ['import', 'export', 'gateway', 'mcps'];
export const REMOTE_SCHEMES: Record<Exclude<ServerTransport, 'stdio'>, readonly string[]> = {
  'streamable-http': ['http:', 'https:'],
  sse: ['http:', 'https:'],
  websocket: ['ws:', 'wss:', 'http:', 'https:'],
};

/**
 * Rules that span fields: a valid name, a command for stdio, a URL of the right scheme (and no
 * control characters) for remote transports, well-formed `${secret:...}` references. Throws AppError `validation` listing them all.
 */
export function assertValidDefinition(def: ServerDefinition): void {
  const errors: FieldError[] = [];
  if (!SERVER_NAME.test(def.name)) errors.push({ field: 'name', message: 'expected 1-32 of a-z 0-9 _ -, starting with a letter or digit' });
  else if (RESERVED_NAMES.includes(def.name)) errors.push({ field: 'name', message: `"${def.name}" is reserved (reserved names: ${RESERVED_NAMES.join(', ')})` });
  if (def.transport === 'stdio') {
    if (!def.command?.trim()) errors.push({ field: 'command', message: 'a stdio server needs a command' });
  } else {
    const schemes = REMOTE_SCHEMES[def.transport];
    let scheme: string | null = null;
    try {
      scheme = def.url ? new URL(def.url).protocol : null;
    } catch {
      // reported below
    }
    if (!scheme || !schemes.includes(scheme)) errors.push({ field: 'url', message: `a ${def.transport} server needs a ${schemes.join(' or ')} URL` });
    else if (CONTROL_CHARACTERS.test(def.url!)) errors.push({ field: 'url', message: 'the URL contains control characters (CR, LF, tab...), which the URL parser would silently drop' });
  }
  errors.push(...secretArgErrors(def.args));
  if (errors.length > 0) throw new AppError('validation', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  findSecretReferences({ env: def.env, headers: def.headers, args: def.args, url: def.url });
}

/**
 * A process's arguments are readable by every local user (`ps`, `/proc/<pid>/cmdline`), so a secret
 * resolved into `args` would be public on the host: references belong in `env`, which only the
 * process's owner and root can read. One error per argument holding `${secret:`.
 */
export function secretArgErrors(args: readonly string[]): FieldError[] {
  return findSecretReferences({ args })
    .filter((ref, i, all) => all.findIndex((r) => r.field === ref.field) === i)
    .map((ref) => ({
      field: ref.field,
      message: `\${secret:${ref.name}} is not allowed in args: every local user can read a process's arguments (ps, /proc/<pid>/cmdline); put the secret in env (e.g. "env": {"${ref.name}": "\${secret:${ref.name}}"}) and have the server read it from there`,
    }));
}

export function toDefinition(row: ServerRow): ServerDefinition {
  return {
    name: row.name,
    description: row.description,
    transport: row.transport,
    command: row.command,
    args: JSON.parse(row.args) as string[],
    env: JSON.parse(row.env) as Record<string, string>,
    cwd: row.cwd,
    url: row.url,
    headers: JSON.parse(row.headers) as Record<string, string>,
    enabled: row.enabled === 1,
    auto_start: row.auto_start === 1,
    restart_policy: row.restart_policy,
    max_retries: row.max_retries,
    timeout_ms: row.timeout_ms,
    tags: JSON.parse(row.tags) as string[],
    session_mode: row.session_mode ?? 'shared',
    placement: row.placement ?? 'one',
  };
}

export function toRowFields(def: ServerDefinition): Omit<ServerRow, 'id' | 'created_at' | 'updated_at' | 'desired_state'> {
  return {
    name: def.name,
    description: def.description,
    transport: def.transport,
    command: def.transport === 'stdio' ? def.command : null,
    args: JSON.stringify(def.args),
    env: JSON.stringify(def.env),
    cwd: def.cwd,
    url: def.transport === 'stdio' ? null : def.url,
    headers: JSON.stringify(def.headers),
    enabled: def.enabled ? 1 : 0,
    auto_start: def.auto_start ? 1 : 0,
    restart_policy: def.restart_policy,
    max_retries: def.max_retries,
    timeout_ms: def.timeout_ms,
    tags: JSON.stringify(def.tags),
    session_mode: def.session_mode ?? 'shared',
    placement: def.placement ?? 'one',
  };
}

/** What the supervisor runs. Pass a definition whose secret references are already resolved. */
export function toServerConfig(def: ServerDefinition): ServerConfig {
  return {
    name: def.name,
    transport: def.transport,
    command: def.command,
    args: def.args,
    env: def.env,
    cwd: def.cwd,
    url: def.url,
    headers: def.headers,
    restart_policy: def.restart_policy,
    max_retries: def.max_retries,
    timeout_ms: def.timeout_ms,
    session_mode: def.session_mode ?? 'shared',
  };
}
