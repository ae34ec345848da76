import type { Logger } from 'pino';
import type { Role } from '../auth/roles.js';
import { AppError } from '../http/app-error.js';
import { decodeCursor, toPage, type Page } from '../http/pagination.js';
import { newId } from '../lib/ids.js';
import { checkUrlToSave, type OutboundGuard } from '../lib/outbound-guard.js';
import { nowIso } from '../lib/clock.js';
import { EVERY_SERVER, type ServerScope } from '../gateway/access/server-access.js';
import type { AuditLog } from '../logs/audit-log.js';
import type { PublicationView } from '../pipe/publications.service.js';
import type { RedactableSecret } from '../secrets/secret-redaction.js';
import { createServerCalls } from './connection/server-calls.js';
import { createServerLifecycle } from './server-lifecycle.js';
import { REMOTE_SCHEMES, assertValidDefinition, toDefinition, toRowFields, toServerConfig, type ServerDefinition } from './server-definition.js';
import { createServerImport } from './server-import.js';
import type { ServerMetrics } from './supervision/server-metrics.js';
import type { ServerRow } from './server.table.js';
import { createSecretValues, type SecretValues } from './secret-values.js';
import { seesLiterals, toServerView, toStatusView, unmaskValues, type ServerView, type StatusView } from './server-view.js';
import type { ServersPlacement } from './server-placement.js';
import type { ServersRepository } from './servers.repository.js';
import type { Supervisor } from './supervision/supervisor.js';

/**
 * Resolves `${secret:NAME}` references in a server's configuration at the moment it starts, and
 * returns the values used (they are redacted from its logs). The secrets service supplies it.
 */
export type ResolveSecrets = <T>(input: T) => Promise<{ value: T; secrets: RedactableSecret[] }>;

/** What a server created without `max_retries` / `timeout_ms` gets. */
export interface McpDefaults {
  maxRetries: number;
  timeoutMs: number;
}

export interface ServersServiceDeps {
  repo: ServersRepository;
  supervisor: Supervisor;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Read at each create: the values may follow runtime settings. */
  defaults: () => McpDefaults;
  /** Without it, references are left as they are (the server sees the literal text). */
  resolveSecrets?: ResolveSecrets | undefined;
  /** Shared with the protocol recorder, so resolved values never reach the log. */
  secretValues?: SecretValues | undefined;
  /** CPU, RSS, calls and latency time series (GET /tools/{id}/metrics). */
  metrics?: ServerMetrics | undefined;
  /** Records what the platform does on its own (auto-start); API calls are audited by the HTTP hook. */
  audit?: AuditLog | undefined;
  /** The server's publication (src/pipe/), shown in its status. */
  publicationOf?: ((serverId: string, serverName: string) => PublicationView | null) | undefined;
  /** The platform's outbound guard: a remote URL it refuses is refused when saved (422), not only at start. */
  guard?: Pick<OutboundGuard, 'check'> | undefined;
  /** Several instances: where each server runs (src/cluster/). Without it, every server runs here. */
  placement?: ServersPlacement | undefined;
}

export type ServerInput = Partial<Omit<ServerDefinition, 'name' | 'transport'>> & Pick<ServerDefinition, 'name' | 'transport'>;
export type ServerPatch = Partial<ServerDefinition>;

/**
 * Managed MCP servers: the stored definitions (CRUD, import/export) and their live side through the
 * supervisor (start/stop/restart/status, capabilities, calls). Keyed by id or name everywhere.
 */
export function createServersService(deps: ServersServiceDeps) {
  const { repo, supervisor } = deps;
  const secretValues = deps.secretValues ?? createSecretValues();
  const redact = (text: string) => secretValues.redact(text);

  /** Gives the supervisor an entry for a stored server it does not know yet (its state: stopped). */
  const registerRow = (row: ServerRow): void => {
    if (!supervisor.has(row.name)) supervisor.register(toServerConfig(toDefinition(row)));
  };

  const find = async (key: string): Promise<ServerRow> => {
    const row = await repo.findByIdOrName(key);
    if (!row) throw AppError.notFound('MCP server', key);
    // Every server is registered at boot, on create and on import; a row another instance stored
    // since is registered when first seen (its entry only holds state, so this changes no answer).
    registerRow(row);
    return row;
  };

  /** Where the server runs: here (null), or the instance of the cluster that runs it and its published status. */
  const elsewhere = (row: ServerRow) => (deps.placement && !deps.placement.runsHere(row.placement ?? 'one') ? deps.placement.elsewhere(row.name) : null);
  const local = () => (deps.placement ? { instance: deps.placement.instanceId } : {});
  const view = (row: ServerRow, literals: boolean): ServerView => {
    const remote = elsewhere(row);
    if (remote) return { ...toServerView(row, remote.status ?? { state: 'stopped', pid: null }, literals), instance: remote.instance };
    return { ...toServerView(row, supervisor.has(row.name) ? supervisor.status(row.name) : { state: 'stopped', pid: null }, literals), ...local() };
  };
  const statusOf = (row: ServerRow): StatusView => {
    const remote = elsewhere(row);
    const shown = remote ? { ...toStatusView(row, remote.status ?? supervisor.status(row.name), redact), instance: remote.instance } : { ...toStatusView(row, supervisor.status(row.name), redact), ...local() };
    return { ...shown, publication: deps.publicationOf?.(row.id, row.name) ?? null };
  };

  const withDefaults = (input: ServerInput): ServerDefinition => {
    const defaults = deps.defaults();
    return {
      description: null,
      command: null,
      args: [],
      env: {},
      cwd: null,
      url: null,
      headers: {},
      enabled: true,
      auto_start: false,
      restart_policy: 'on-failure',
      max_retries: defaults.maxRetries,
      timeout_ms: defaults.timeoutMs,
      tags: [],
      session_mode: 'shared',
      placement: 'one',
      ...(stripUndefined(input) as ServerInput),
    };
  };

  /** A remote URL the outbound policy refuses now (its address, or what its name resolves to). */
  const checkUrl = async (def: ServerDefinition): Promise<void> => {
    if (def.transport !== 'stdio' && def.url && deps.guard) await checkUrlToSave(deps.guard, def.url, REMOTE_SCHEMES[def.transport], 'url');
  };

  const insert = async (def: ServerDefinition): Promise<ServerRow> => {
    assertValidDefinition(def);
    await checkUrl(def);
    if (await repo.findByName(def.name)) throw new AppError('conflict', `an MCP server named '${def.name}' exists`);
    const at = nowIso();
    const row: ServerRow = { id: newId(), ...toRowFields(def), desired_state: 'stopped', created_at: at, updated_at: at };
    await repo.insert(row);
    supervisor.register(toServerConfig(def));
    return row;
  };

  const change = async (row: ServerRow, patch: ServerPatch): Promise<ServerRow> => {
    const before = toDefinition(row);
    const next: ServerDefinition = { ...before, ...stripUndefined(patch) };
    if (patch.env) next.env = unmaskValues(patch.env, before.env);
    if (patch.headers) next.headers = unmaskValues(patch.headers, before.headers);
    assertValidDefinition(next);
    // A stored URL is judged again only when it changes: a later, stricter policy still refuses it at start.
    if (next.url !== before.url || next.transport !== before.transport) await checkUrl(next);
    if (next.name !== before.name) {
      if (await repo.findByName(next.name)) throw new AppError('conflict', `an MCP server named '${next.name}' exists`);
      const state = supervisor.status(before.name).state;
      if (state !== 'stopped' && state !== 'fatal') throw new AppError('conflict', `stop MCP server '${before.name}' before renaming it`);
      await supervisor.unregister(before.name);
      secretValues.set(before.name, []);
    }
    const updated: ServerRow = { ...row, ...toRowFields(next), updated_at: nowIso() };
    await repo.update(row.id, { ...toRowFields(next), updated_at: updated.updated_at });
    // A live server keeps its (resolved) configuration until it is restarted; `prepare` registers
    // the new one at the next start. Only an idle entry is replaced now, for its status.
    const idle = !supervisor.has(next.name) || ['stopped', 'fatal'].includes(supervisor.status(next.name).state);
    if (idle) supervisor.register(toServerConfig(next));
    // The session mode concerns sessions opened from now on: it needs no restart.
    else supervisor.setSessionMode(next.name, next.session_mode ?? 'shared');
    return updated;
  };

  const calls = createServerCalls({ supervisor, find, redact });
  const runsHere = (row: ServerRow) => deps.placement?.runsHere(row.placement ?? 'one') ?? true;
  const lifecycle = createServerLifecycle({ ...deps, secretValues, find, statusOf, redact, runsHere });
  const io = createServerImport({ repo, all: () => repo.all(), withDefaults, insert, change });

  return {
    /** A page of the servers `scope` sees (ordered by name); literal credentials are masked for all but admins (seesLiterals). */
    async list(q: { limit: number; cursor?: string | undefined }, scope: ServerScope = EVERY_SERVER, reader?: Role): Promise<Page<ServerView>> {
      const after = q.cursor === undefined ? undefined : decodeCursor<string>(q.cursor, 'string');
      if (scope.servers !== null) {
        const visible = (await repo.all()).filter((r) => scope.sees(r.name));
        return toPage(visible.filter((r) => after === undefined || r.name > after).slice(0, q.limit + 1), q.limit, (r) => r.name, (r) => view(r, seesLiterals(reader)), visible.length);
      }
      const [rows, total] = await Promise.all([repo.list(q.limit + 1, after), repo.count()]);
      return toPage(rows, q.limit, (r) => r.name, (r) => view(r, seesLiterals(reader)), total);
    },
    /** The name of the server `key` (id or name) names, or null when there is none. */
    nameOf: async (key: string): Promise<string | null> => (await repo.findByIdOrName(key))?.name ?? null,
    /** Whether any enabled server runs on one instance only (placement 'one'). */
    anyPlacedOne: async (): Promise<boolean> => (await repo.all()).some((r) => r.enabled === 1 && (r.placement ?? 'one') === 'one'),
    /** Where the server `key` (id or name) runs among several instances, or null when there is none. */
    placementOf: async (key: string): Promise<'one' | 'every' | null> => {
      const row = await repo.findByIdOrName(key);
      return row ? (row.placement ?? 'one') : null;
    },
    get: async (key: string, reader?: Role): Promise<ServerView> => view(await find(key), seesLiterals(reader)),
    // Only callers allowed to change definitions (servers:write) create and update them.
    create: async (input: ServerInput): Promise<ServerView> => view(await insert(withDefaults(input)), true),
    update: async (key: string, patch: ServerPatch): Promise<ServerView> => view(await change(await find(key), patch), true),

    /** Stops a running server (its whole process group) and forgets it. */
    async delete(key: string): Promise<void> {
      const row = await find(key);
      await supervisor.unregister(row.name);
      secretValues.set(row.name, []);
      await repo.delete(row.id);
      deps.metrics?.forget(row.name);
    },

    start: lifecycle.start,
    stop: lifecycle.stop,
    restart: lifecycle.restart,
    autoStart: lifecycle.autoStart,
    reconcile: lifecycle.reconcile,
    startForPublication: lifecycle.startForPublication,
    restartUsersOf: lifecycle.restartUsersOf,
    status: async (key: string): Promise<StatusView> => statusOf(await find(key)),
    async stderr(key: string, tail: number): Promise<{ lines: string[] }> {
      const row = await find(key);
      return { lines: supervisor.stderr(row.name, tail).map(redact) };
    },

    /**
     * Stderr lines with their numbers, secret values redacted: those after `seq` (a resumed stream), or
     * the last `tail` when `seq` is null. `server` is the server's name (live lines are announced by it).
     */
    async stderrSince(key: string, seq: number | null, tail: number): Promise<{ server: string; lines: { seq: number; line: string }[] }> {
      const row = await find(key);
      const kept = supervisor.stderrSince(row.name, 0);
      const lines = seq === null ? kept.slice(Math.max(0, kept.length - tail)) : kept.filter((l) => l.seq > seq);
      return { server: row.name, lines: lines.map((l) => ({ seq: l.seq, line: redact(l.line) })) };
    },

    async metrics(key: string, since?: string) {
      const row = await find(key);
      if (!deps.metrics) throw new AppError('unavailable', 'metrics are not collected');
      return { server: row.name, ...deps.metrics.query(row.name, since) };
    },

    ...calls,
    importConfig: io.importConfig,
    exportConfig: io.exportConfig,

    /**
     * Makes the supervisor's entries match the stored servers: registers each one (stopped unless
     * it runs) and forgets, stopping it, any entry whose server is gone. Platform start, after a restore.
     */
    async registerAll(): Promise<void> {
      const rows = await repo.all();
      const names = new Set(rows.map((r) => r.name));
      rows.forEach(registerRow);
      await Promise.all(supervisor.list().filter((s) => !names.has(s.name)).map((s) => supervisor.unregister(s.name)));
    },

    /** Stops every server (platform shutdown). */
    close: () => supervisor.stopAll(),
  };
}

export type ServersService = ReturnType<typeof createServersService>;

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
