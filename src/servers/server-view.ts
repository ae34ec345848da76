import { roleHas } from '../auth/permissions.js';
import type { Role } from '../auth/roles.js';
import { isSensitiveKey, MASK, maskArgs, maskCredentialsInText, maskUrl } from '../lib/credential-mask.js';
import type { PublicationView } from '../pipe/publications.service.js';
import { toDefinition, type ServerDefinition } from './server-definition.js';
import type { ServerStatus } from './supervision/server-status.js';
import type { ServerRow } from './server.table.js';

/** Stands for a stored literal value that is not shown; sent back in an update, it keeps that value. */
export const MASKED = MASK;

export type ServerView = ServerDefinition & {
  session_mode: NonNullable<ServerDefinition['session_mode']>;
  placement: NonNullable<ServerDefinition['placement']>;
  /** The instance running it (placement 'one', several instances), or null. */
  instance?: string | null;
  id: string;
  created_at: string;
  updated_at: string;
  desired_state: ServerRow['desired_state'];
  state: ServerStatus['state'];
  pid: number | null;
};

export interface StatusView {
  id: string;
  name: string;
  transport: ServerStatus['transport'];
  enabled: boolean;
  state: ServerStatus['state'];
  pid: number | null;
  restarts: number;
  failures: number;
  last_error: string | null;
  last_exit: { code: number | null; signal: string | null } | null;
  started_at: string | null;
  uptime_ms: number | null;
  next_restart_at: string | null;
  server_info: { name: string; version: string; title?: string | undefined } | null;
  protocol_version: string | null;
  transitions: { from: string; to: string; at: string; reason: string }[];
  /** The instance whose process this status describes (several instances), or null. */
  instance?: string | null;
  /** Its publication to a remote WebSocket endpoint (src/pipe/), or null. */
  publication?: PublicationView | null;
}

/**
 * env / headers as shown: `${secret:...}` references as they are (never resolved), literal values
 * of credential-like names (`*_TOKEN`, `Authorization`, `API_KEY`...) masked.
 */
export function maskValues(values: Record<string, string>): Record<string, string> {
  return mapValues(values, (k, v) => (!v.includes('${secret:') && isSensitiveKey(k) ? MASKED : v));
}

/** An update's env / headers: a MASKED value keeps what is stored under that name. */
export function unmaskValues(next: Record<string, string>, stored: Record<string, string>): Record<string, string> {
  return mapValues(next, (k, v) => (v === MASKED && stored[k] !== undefined ? stored[k] : v));
}

/**
 * Whether `role` sees a definition's literal values (but for env / headers under credential-like
 * names, which nobody reads back): those who may change the definition, i.e. admins. Everyone else
 * sees it through maskDefinition.
 */
export function seesLiterals(role: Role | undefined): boolean {
  return role !== undefined && roleHas(role, 'servers:write');
}

/**
 * A definition as shown to a reader who may not change it: credentials masked by name and by shape in
 * the command, args (`--api-key sk-...`), env values (`DATABASE_URL=postgres://u:pw@...`) and URL
 * (userinfo, every query value); every literal header value masked. References stay visible.
 */
export function maskDefinition(def: ServerDefinition): ServerDefinition {
  return {
    ...def,
    command: def.command === null ? null : maskCredentialsInText(def.command),
    args: maskArgs(def.args),
    env: mapValues(maskValues(def.env), (_k, v) => maskCredentialsInText(v)),
    url: def.url === null ? null : maskUrl(def.url, { strict: true }),
    headers: mapValues(def.headers, (_k, v) => (v.includes('${secret:') ? v : MASKED)),
  };
}

/** `literals`: see seesLiterals. */
export function toServerView(row: ServerRow, status: Pick<ServerStatus, 'state' | 'pid'>, literals: boolean): ServerView {
  const def = toDefinition(row);
  const shown = literals ? { ...def, env: maskValues(def.env), headers: maskValues(def.headers) } : maskDefinition(def);
  return {
    id: row.id,
    ...shown,
    session_mode: def.session_mode ?? 'shared',
    placement: def.placement ?? 'one',
    created_at: row.created_at,
    updated_at: row.updated_at,
    desired_state: row.desired_state,
    state: status.state,
    pid: status.pid,
  };
}

function mapValues(values: Record<string, string>, f: (key: string, value: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) out[k] = f(k, v);
  return out;
}

export function toStatusView(row: ServerRow, s: ServerStatus, redact: (text: string) => string): StatusView {
  return {
    id: row.id,
    name: row.name,
    transport: s.transport,
    enabled: row.enabled === 1,
    state: s.state,
    pid: s.pid,
    restarts: s.restarts,
    failures: s.failures,
    last_error: s.lastError === null ? null : redact(s.lastError),
    last_exit: s.lastExit,
    started_at: s.startedAt,
    uptime_ms: s.uptimeMs,
    next_restart_at: s.nextRestartAt,
    server_info: s.serverInfo ? { name: s.serverInfo.name, version: s.serverInfo.version, title: s.serverInfo.title } : null,
    protocol_version: s.protocolVersion,
    transitions: s.transitions.map((t) => ({ ...t, reason: redact(t.reason) })),
  };
}
