import type { Logger } from 'pino';
import { AppError } from '../http/app-error.js';
import type { AuditLog } from '../logs/audit-log.js';
import type { RedactableSecret } from '../secrets/secret-redaction.js';
import { listReferencedSecretNames } from '../secrets/secret-reference.js';
import { secretArgErrors, toDefinition, toServerConfig } from './server-definition.js';
import { mapServerErrors } from './server-error-map.js';
import type { DesiredState, ServerRow } from './server.table.js';
import type { SecretValues } from './secret-values.js';
import type { StatusView } from './server-view.js';
import type { ServersRepository } from './servers.repository.js';
import type { Supervisor } from './supervision/supervisor.js';

/** Why the platform started a server by itself (audit `server.autostart`, details.reason). */
type SystemStartReason = 'auto-start' | 'desired-state' | 'publication';

interface LifecycleDeps {
  repo: Pick<ServersRepository, 'all' | 'findByIdOrName' | 'update'>;
  supervisor: Supervisor;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  audit?: AuditLog | undefined;
  resolveSecrets?: (<T>(input: T) => Promise<{ value: T; secrets: RedactableSecret[] }>) | undefined;
  secretValues: SecretValues;
  find: (key: string) => Promise<ServerRow>;
  statusOf: (row: ServerRow) => StatusView;
  redact: (text: string) => string;
  /** Several instances: whether this server runs on this instance (its placement); default yes. */
  runsHere?: (row: ServerRow) => boolean;
}

/**
 * Starting and stopping servers: secrets are resolved at the moment of start and handed to the
 * supervisor with the configuration (never stored); platform auto-start; restarts when a secret
 * a server uses changes. A start or stop asked by a person is kept as the server's desired state,
 * which platform start brings back; what the platform does by itself never changes it.
 */
export function createServerLifecycle(deps: LifecycleDeps) {
  const { repo, supervisor, log, secretValues, find, statusOf, redact } = deps;
  const runsHere = deps.runsHere ?? (() => true);

  /** Resolves the secrets of a server that is about to start and hands the result to the supervisor. */
  // Started here for a publication that runs here: kept here whatever its placement (docs/DEPLOYMENT.md).
  const forPublication = new Set<string>();

  const prepare = async (row: ServerRow): Promise<void> => {
    const def = toDefinition(row);
    if (!def.enabled) throw new AppError('conflict', `MCP server '${row.name}' is disabled; enable it first`);
    // Requests for it are forwarded to the instance that runs it; one landing here means none does now.
    if (!runsHere(row) && !forPublication.has(row.name)) throw new AppError('unavailable', `MCP server '${row.name}' runs on another instance, and none holds the managed servers now (a takeover is in progress); try again`, { retryAfterSeconds: 2 });
    const state = supervisor.status(row.name).state;
    if (state === 'running' || state === 'starting') return;
    // Rows stored before args were checked must not put a resolved secret on the command line.
    const argErrors = secretArgErrors(def.args);
    if (argErrors.length > 0) {
      throw new AppError('unprocessable', `MCP server '${row.name}' not started: ${argErrors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors: argErrors });
    }
    const fields = { env: def.env, headers: def.headers, args: def.args, url: def.url };
    const resolved = deps.resolveSecrets ? await deps.resolveSecrets(fields) : { value: fields, secrets: [] };
    secretValues.set(row.name, resolved.secrets);
    supervisor.register(toServerConfig({ ...def, ...resolved.value }));
  };

  /**
   * The supervisor resolves a failed start with its status (it never rejects for a server
   * failure); for the person who asked, a start that did not reach `running` is an error: 502
   * with the state and why.
   */
  const requireRunning = (row: ServerRow, verb: string): StatusView => {
    const status = statusOf(row);
    if (status.state !== 'running') {
      throw new AppError('bad_gateway', `MCP server '${row.name}' did not ${verb}: ${status.last_error ?? status.state}`, {
        state: status.state,
        last_error: status.last_error,
        next_restart_at: status.next_restart_at,
      });
    }
    return status;
  };

  const desire = (row: ServerRow, state: DesiredState) => (row.desired_state === state ? Promise.resolve() : repo.update(row.id, { desired_state: state }));

  const up = (name: string) => supervisor.has(name) && ['running', 'starting'].includes(supervisor.status(name).state);

  /** A start the platform makes by itself (no person asked): logged and audited as `server.autostart`. */
  const startAsSystem = async (r: ServerRow, reason: SystemStartReason): Promise<boolean> => {
    let ok = false;
    try {
      const row = await find(r.name);
      await prepare(row);
      const s = await supervisor.start(row.name);
      ok = s.state === 'running';
      if (!ok) log.warn({ server: row.name, state: s.state, reason, error: s.lastError && redact(s.lastError) }, 'start of an MCP server by the platform failed');
    } catch (err) {
      log.error({ err, server: r.name, reason }, 'start of an MCP server by the platform failed');
    }
    await deps.audit?.record({
      actor: { type: 'system', name: 'mcps' },
      action: 'server.autostart',
      target: { type: 'server', id: r.id },
      outcome: ok ? 'success' : 'failure',
      details: { reason },
    });
    return ok;
  };

  return {
    /**
     * A person's start: kept as the desired state; resolves with the status once running. Rejects
     * with AppError: 404 unknown server, 409 disabled, 422 a secret in args, 502 the start settled
     * in another state (backoff, fatal) with `state`, `last_error` and `next_restart_at`.
     */
    async start(key: string): Promise<StatusView> {
      const row = await find(key);
      await prepare(row);
      await desire(row, 'running');
      await mapServerErrors(() => supervisor.start(row.name));
      return requireRunning(row, 'start');
    },
    /** Stop, then start as `start` (same answers). */
    async restart(key: string): Promise<StatusView> {
      const row = await find(key);
      await mapServerErrors(() => supervisor.stop(row.name));
      await prepare(row);
      await desire(row, 'running');
      await mapServerErrors(() => supervisor.start(row.name));
      return requireRunning(row, 'restart');
    },
    async stop(key: string): Promise<StatusView> {
      const row = await find(key);
      await desire(row, 'stopped');
      await mapServerErrors(() => supervisor.stop(row.name));
      secretValues.set(row.name, []);
      return statusOf(row);
    },
    /**
     * Starts every enabled server that is marked auto_start or was last started by a person (desired
     * state 'running') and is not already up (platform start, after reapOrphans; after a restore).
     * Failures are logged and left to each server's restart policy; never throws.
     */
    async autoStart(placement?: 'one' | 'every'): Promise<{ started: string[]; failed: string[] }> {
      const rows = (await repo.all()).filter(
        (r) => (r.auto_start === 1 || r.desired_state === 'running') && r.enabled === 1 && !up(r.name) && runsHere(r) && (placement === undefined || (r.placement ?? 'one') === placement),
      );
      const started: string[] = [];
      const failed: string[] = [];
      const reasonOf = (r: ServerRow): SystemStartReason => (r.auto_start === 1 ? 'auto-start' : 'desired-state');
      await Promise.all(rows.map(async (r) => ((await startAsSystem(r, reasonOf(r))) ? started : failed).push(r.name)));
      if (rows.length > 0) log.info({ lifecycle: true, started, failed }, 'MCP servers auto-started');
      return { started, failed };
    },

    /**
     * Several instances, at each heartbeat: stops what runs here but belongs elsewhere now (placement
     * 'one' on an instance that no longer holds the managed servers); for placement 'every', follows
     * the desired state another instance recorded: starts the ones a person started (if stopped here),
     * stops the ones a person stopped (unless auto_start). Never throws.
     */
    async reconcile(): Promise<void> {
      for (const r of await repo.all()) {
        const state = supervisor.has(r.name) ? supervisor.status(r.name).state : 'stopped';
        const live = state !== 'stopped' && state !== 'fatal';
        const every = (r.placement ?? 'one') === 'every';
        try {
          if (live && ((!runsHere(r) && !forPublication.has(r.name)) || (every && r.desired_state === 'stopped' && r.auto_start === 0))) {
            await supervisor.stop(r.name);
            log.info({ lifecycle: true, server: r.name }, every ? 'MCP server stopped: stopped on another instance' : 'MCP server stopped: another instance runs it now');
          } else if (every && state === 'stopped' && r.enabled === 1 && r.desired_state === 'running') {
            await startAsSystem(r, 'desired-state');
          }
        } catch (err) {
          log.error({ err, server: r.name }, 'placement: could not bring the server to its desired state here');
        }
      }
    },

    /**
     * A publication of this server now runs on this instance (published here, or taken over from
     * an instance that stopped): the server must run here too. Starts it if it is enabled and not
     * up; audited like an auto-start; never throws.
     */
    async startForPublication(serverId: string): Promise<void> {
      const row = await repo.findByIdOrName(serverId);
      if (!row || row.enabled !== 1 || up(row.name)) return;
      forPublication.add(row.name);
      if (await startAsSystem(row, 'publication')) log.info({ lifecycle: true, server: row.name }, 'MCP server started for its publication, which runs on this instance');
    },

    /**
     * Restarts the running servers that use secret `name` by reference (latest version), so they
     * pick up a rotated or updated value. Returns their names; failures are logged.
     */
    async restartUsersOf(name: string): Promise<string[]> {
      const users = (await repo.all()).filter((r) => {
        const def = toDefinition(r);
        const refs = listReferencedSecretNames({ env: def.env, headers: def.headers, args: def.args, url: def.url }, { latestOnly: true });
        return refs.includes(name) && supervisor.has(r.name) && supervisor.status(r.name).state === 'running';
      });
      await Promise.all(
        users.map(async (r) => {
          try {
            await supervisor.stop(r.name);
            await prepare(r);
            const s = await supervisor.start(r.name);
            if (s.state === 'running') log.info({ server: r.name, secret: name }, 'MCP server restarted after a secret changed');
            else log.error({ server: r.name, secret: name, state: s.state, error: s.lastError && redact(s.lastError) }, 'restart after a secret change failed');
          } catch (err) {
            log.error({ err, server: r.name, secret: name }, 'restart after a secret change failed');
          }
        }),
      );
      return users.map((r) => r.name);
    },

  };
}
