import type { Kysely } from 'kysely';
import { createApiKeyRepository } from './auth/api-key.repository.js';
import { createAuthService, type AuthService } from './auth/auth.service.js';
import { createLoginAttemptRepository } from './auth/login-attempt.repository.js';
import { createTokenService } from './auth/tokens.js';
import { createOAuthRuntime, type OAuthRuntime } from './auth/oauth/oauth-runtime.js';
import { createSsoRuntime, type SsoRuntime } from './auth/sso/sso-runtime.js';
import { createUserRepository } from './auth/user.repository.js';
import { createUsersService, type UsersService } from './auth/users.service.js';
import { type BackupsRuntime, createBackupsRuntime } from './backups/backups-runtime.js';
import type { Config } from './config.js';
import { connect, type Dialect } from './db/connect.js';
import type { Database } from './db/database.js';
import { migrateToLatest } from './db/migrator.js';
import { createGatewayService, type GatewayService } from './gateway/gateway.service.js';
import { createAuditLog, type AuditLog } from './logs/audit-log.js';
import { createAnalyzerService, type AnalyzerService } from './analyzer/analyzer.service.js';
import { createTemplateModelsRepository } from './analyzer/template-models.repository.js';
import { createLogger, type Logger, type LoggerHandle } from './logs/logger.js';
import { createLogsRepository } from './logs/logs.repository.js';
import { createOutboundGuard } from './lib/outbound-guard.js';
import { createOutboundPolicy } from './lib/outbound-policy.js';
import type { LogServiceDeps } from './logservice/build-server.js';
import { logServiceBuiltin } from './logservice/log-service-builtin.js';
import { createLogsService, type LogsService } from './logs/logs.service.js';
import { createLiveEvents, type LiveEvents } from './lib/live-events.js';
import { createTrafficRepository } from './protocol-log/protocol-log.repository.js';
import { createSystemLogSink } from './logs/system-log-sink.js';
import { createSecretChangeWatcher, type SecretChangeWatcher } from './secrets/secret-change-watcher.js';
import { createSecretEvents } from './secrets/secret-events.js';
import { createSecretsService, type SecretsService } from './secrets/secrets.service.js';
import { createServersRuntime, type ServersRuntime } from './servers/servers-runtime.js';
import { routeAlertsToNotify } from './notify/alert-routing.js';
import { createNotifyService, type NotifyService } from './notify/notify.service.js';
import { createStorageService, type StorageService } from './storage/storage.service.js';
import { createCaptureService, type CaptureService } from './capture/capture.service.js';
import { createAlertsRuntime, type AlertsRuntime } from './alerts/alerts-runtime.js';
import { backupSettingDefaults, bindBackupSchedule } from './system/backup-settings.js';
import { createSystemRuntime, loadSettings, serversSettings, type SystemRuntime } from './system/system-runtime.js';
import { VERSION } from './version.js';
import type { OpenSession } from './pipe/gateway-session.js';
import { createPipeRuntime, type PipeRuntime } from './pipe/pipe-runtime.js';
import { createClusterRuntime, type ClusterRuntime } from './cluster/cluster-runtime.js';
import { newInstanceId } from './leases/instance-id.js';
import { createLeaseKeeper } from './leases/lease-keeper.js';
import { createLeaseRole, type LeaseRole } from './leases/lease-role.js';
import { createLeasesRepository } from './leases/leases.repository.js';
import { createJobsRuntime, type JobsRuntime } from './jobs/jobs-runtime.js';
import { builtinOperations } from './jobs/operations/index.js';
import { createMonitorsRuntime, type MonitorsRuntime } from './monitors/monitors-runtime.js';
import { createBackupStore } from './backups/backup-store.js';
import { createBackupsDuty } from './backups/backups-duty.js';

/** Everything the app and the CLI need, built once from the config (the composition root). */
export interface AppContext {
  config: Readonly<Config>;
  db: Kysely<Database>;
  dialect: Dialect;
  dbDisplay: string;
  /** This process among the instances sharing the database (`host:pid:random`): its name as a lease holder. */
  instanceId: string;
  /** Several instances: the registry, the managed servers lease, forwarding (src/cluster/). */
  cluster: ClusterRuntime;
  log: Logger;
  startedAt: number;
  auth: AuthService;
  /** OAuth 2.1 for the gateway: the authorization server under /oauth, delegate mode, the resource server. */
  oauth: OAuthRuntime;
  /** Single sign-on for people: OpenID Connect providers, the sign-in flow, just-in-time users. */
  sso: SsoRuntime;
  users: UsersService;
  logs: LogsService;
  /** In-process announcements of log writes and stderr lines, for the live streams (SSE). */
  live: LiveEvents;
  audit: AuditLog;
  /** Secrets; `secrets.events` tells users of a secret by reference that it changed. */
  secrets: SecretsService;
  /** Log analysis over files under LOG_ROOTS (analyze, search, templates, compare, export). */
  analyzer: AnalyzerService;
  /** Announces secret changes made by other processes (the CLI, another instance); started by `serve`. */
  secretWatcher: SecretChangeWatcher;
  /** Managed MCP servers: the service, the supervisor of their processes, the protocol recorder. */
  servers: ServersRuntime;
  /** Runtime settings, host and server metrics, status, Prometheus, log retention. */
  system: SystemRuntime;
  /** Publications of servers / the gateway to remote WebSocket endpoints (mcp_pipe). */
  pipes: PipeRuntime;
  /** Backups (create, verify, restore, upload) and their schedule (started by `mcps serve`). */
  backups: BackupsRuntime;
  /** Object storage: profiles, listing, downloads into DATA_DIR/downloads. */
  storage: StorageService;
  /** Alerts in: webhook receivers, the alert store, silences, inhibition rules, routing. */
  alerts: AlertsRuntime;
  /** What the log-service MCP server (`mcps`) is built from, in the gateway and on stdio. */
  logService: LogServiceDeps;
  /** Dashboard capture: saved dashboards, the warm browser pool, screenshots in DATA_DIR/screenshots. */
  capture: CaptureService;
  /** Batch jobs: the service (start, get, list, cancel) and the queue, started by `mcps serve`. */
  jobs: JobsRuntime;
  /** Notifications: channels and the durable delivery queue (its worker runs under `alertsDuty`). */
  notify: NotifyService;
  /**
   * The alert routing and the notification delivery worker, run by one instance at a time among those
   * sharing the database (the holder of the `alerts-and-notifications` lease); started in server.ts.
   */
  alertsDuty: LeaseRole;
  /**
   * The automatic backups (schedule and retention), run by one instance at a time among those sharing
   * the database (the holder of the `backups.scheduler` lease); started in server.ts.
   */
  backupsDuty: LeaseRole;
  /** Health checks and monitors (scheduler started by `mcps serve`) and the platform's own health. */
  monitors: MonitorsRuntime;
  /** The MCP gateway (/mcp): sessions, allowlists, tool pins, openInProcessSession, metrics(). */
  gateway: GatewayService;
  /** Stops managed servers, flushes buffered log rows, closes the database and the log file. Idempotent. */
  close(): Promise<void>;
}

export interface ContextOptions {
  /** Use this logger instead of creating one (tests pass a quiet one). */
  logger?: LoggerHandle;
  /** Apply pending migrations (default true; `mcps db status` opens without migrating). */
  migrate?: boolean;
  /** Store warn+ system log entries in the database (default true). */
  dbLogSink?: boolean;
  /** The gateway's in-process MCP sessions for publications (tests pass their own). */
  openSession?: OpenSession;
}

export async function createContext(config: Readonly<Config>, options: ContextOptions = {}): Promise<AppContext> {
  const loggerHandle =
    options.logger ?? (await createLogger({ level: config.debug ? 'debug' : config.logLevel, logFile: config.logFile, stdout: true }));
  const log = loggerHandle.logger;
  const handle = connect(config.databaseUrl);
  try {
    if (options.migrate !== false) {
      const applied = await migrateToLatest(handle.db);
      if (applied.length > 0) log.info({ lifecycle: true, migrations: applied }, 'database migrated');
    }
  } catch (err) {
    await handle.close();
    await loggerHandle.close();
    throw err;
  }

  const users = createUserRepository(handle.db);
  const live = createLiveEvents((err) => log.error({ err }, 'a live stream listener failed'));
  const logsRepo = createLogsRepository(handle.db, live.logsWritten);
  const sink = options.dbLogSink === false ? null : createSystemLogSink({ insert: (rows) => logsRepo.insertSystem(rows) });
  if (sink) loggerHandle.addStream({ level: 'info', stream: sink });
  const audit = createAuditLog({ logs: logsRepo, log });
  const analyzer = createAnalyzerService({
    roots: config.logRoots,
    exportDir: config.exportDir,
    models: createTemplateModelsRepository(handle.db),
    audit,
    apiPrefix: config.apiPrefix,
  });
  const secretEvents = createSecretEvents({
    onListenerError: (err, event) => log.error({ err, event }, 'a secret event listener failed'),
  });

  const secrets = createSecretsService({
    db: handle.db,
    ring: config.masterKeyRing,
    audit,
    log,
    config: { maxVersions: config.secretMaxVersions, overlapMs: config.secretOverlapMs },
    events: secretEvents,
  });
  const settings = await loadSettings({
    db: handle.db,
    config,
    log,
    audit,
    defaults: backupSettingDefaults({ schedule: config.backupSchedule, keepCount: config.backupKeepCount, keepDays: config.backupKeepDays }),
  });
  // Remote MCP servers and publication endpoints are reached through one guard (SSRF: private,
  // loopback and metadata addresses refused unless MCPS_OUTBOUND_ALLOW lists them; DNS pinned).
  const outbound = createOutboundGuard(createOutboundPolicy(config.outboundAllow));
  const storage = createStorageService({ db: handle.db, audit, guard: outbound, secrets, dataDir: config.dataDir, downloadsMaxBytes: config.downloadsMaxBytes });
  const capture = createCaptureService({ db: handle.db, audit, guard: outbound, secrets, config: config.capture, dataDir: config.dataDir, apiPrefix: config.apiPrefix, allowedHosts: () => settings.get('capture.allowed_hosts') });
  const alerts = createAlertsRuntime({ db: handle.db, audit, secrets, secretEvents, apiPrefix: config.apiPrefix, onError: (err) => log.error({ err }, 'alert routing failed') });
  const notify = createNotifyService({ db: handle.db, audit, guard: outbound, secrets, log });
  routeAlertsToNotify(alerts.events, notify, log);
  // Two real cycles: a server's status shows its publication (pipes start servers for their
  // publications) and the gateway forwards servers' logging notifications (it rides on their
  // supervisor). The servers runtime is built first and reaches the two later ones through `late`,
  // bound as soon as they exist; both are read only after createContext has returned.
  const late: { pipes?: PipeRuntime; gateway?: GatewayService } = {};
  const instanceId = newInstanceId();
  // Several instances: which one runs each managed server, and forwarding to it (a no-op until armed).
  const cluster = createClusterRuntime({ db: handle.db, instanceId, config, servers: () => ({ ...servers, redact: (t: string) => servers.secretValues.redact(t) }), log });
  const servers = createServersRuntime({
    db: handle.db,
    placement: cluster.placement,
    log,
    audit,
    guard: outbound,
    // MCP defaults, protocol-log retention and metrics interval follow the runtime settings.
    ...serversSettings(config, settings),
    // `${secret:NAME}` in a server's env / headers / args / URL, resolved when it starts.
    resolveSecrets: (input) => secrets.resolveTracked(input, { reason: 'mcp server start' }),
    secretEvents: secrets.events,
    publicationOf: (serverId, serverName) => late.pipes?.publications.summaryForServer(serverId, serverName) ?? null,
    onServerNotification: (server, notification) => late.gateway?.onServerNotification(server, notification),
    live,
  });

  // Several instances on one database route each alert and send each notification once: the work
  // runs where this lease is held; the others stand by and take over when the holder stops or dies.
  const alertsDuty = createLeaseRole({
    keeper: createLeaseKeeper({ leases: createLeasesRepository(handle.db), holder: instanceId, ttlMs: config.alertsLeaseTtlMs }),
    name: 'alerts-and-notifications',
    onAcquired: () => {
      alerts.routing.start();
      notify.worker.start();
    },
    onReleased: async () => {
      await alerts.routing.stop();
      await notify.worker.stop();
    },
    log,
  });
  const monitors = createPlatformMonitors(config, { db: handle.db, audit, log, instanceId, secrets, alerts, servers });

  // Batches run storage downloads, analyses and managed servers' tools, as the batch's creator.
  const jobs = createJobsRuntime({
    db: handle.db,
    log,
    audit,
    operations: builtinOperations({ storage, analyzer, servers: servers.servers }),
    instanceId,
    config: { ...config.jobs, redisUrl: config.redisUrl },
    // An API key limited to some servers reaches no other through a batch.
    scopeFor: (principal) => late.gateway!.access.scopeFor(principal),
  });
  // The log service (`mcps`): its tools act as each session's principal. The same deps serve it in the
  // gateway and on stdio (`mcps log-service`), so both faces offer the same tools.
  const logService: LogServiceDeps = { secrets, storage, capture, analyzer, notify, alerts, monitors: monitors.service, jobs: jobs.service, scopeFor: (p) => late.gateway!.access.scopeFor(p), onReveal: (v) => servers.secretValues.remember(v) };
  const gateway = createGatewayService({
    db: handle.db,
    supervisor: servers.supervisor,
    recorder: servers.recorder,
    log,
    config: config.gateway,
    builtins: [logServiceBuiltin(logService)],
  });
  late.gateway = gateway;
  const pipes = createPipeRuntime({
    db: handle.db,
    instanceId,
    // Only the instance holding a publication's lease connects it; the others stand by.
    leaseTtlMs: config.publicationLeaseTtlMs,
    log,
    guard: outbound,
    timing: config.pipe,
    secrets,
    // A publication is a gateway session (one server unchanged, or the aggregate) relayed to the endpoint.
    openSession: options.openSession ?? ((o) => gateway.openInProcessSession(o)),
    startServer: (id) => servers.servers.startForPublication(id),
  });
  late.pipes = pipes;

  const secretWatcher = createSecretChangeWatcher({ db: handle.db, events: secretEvents, log });
  const logs = createLogsService({ logs: logsRepo, protocolLog: createTrafficRepository(handle.db) });
  const startedAt = Date.now();
  const system = createSystemRuntime({ db: handle.db, dialect: handle.dialect, dbDisplay: handle.display, config, log, version: VERSION, instanceId, startedAt, logs, servers, settings });

  const backups = createBackupsRuntime({
    db: handle.db,
    dialect: handle.dialect,
    config,
    log,
    audit,
    // The restored rows hold other runtime settings (read them back: their subscribers re-apply them)
    // and may describe other servers: stop what runs, start the restored auto_start ones.
    onRestored: async () => {
      auth.forgetCachedKeys();
      alerts.receivers.forget();
      await settings.load();
      await servers.supervisor.stopAll();
      await servers.servers.registerAll();
      void servers.servers.autoStart().catch((err: unknown) => log.error({ err }, 'auto-start after a restore failed'));
    },
  });

  const auth = createPasswordAuth(config, { db: handle.db, users, log, audit, localPasswords: () => settings.get('auth.local_passwords') });
  const oauth = createOAuthRuntime({ db: handle.db, secrets, secretKey: config.secretKey, users, guard: outbound, config: config.oauth, publicUrl: config.publicUrl, trustProxy: config.trustProxy, audit, log });
  // Login lockouts on /metrics (mcps_auth_lockouts_total{scope}).
  system.addMetricsSource('auth', () => auth.metrics(), { labels: { lockouts_total: 'scope' } });
  // Gateway sessions and calls on /metrics.
  system.addMetricsSource('gateway', () => ({ ...gateway.metrics() }), { labels: { sessions_open: 'transport', calls_total: 'outcome' } });
  // The schedule and retention follow the `backup.*` runtime settings (PUT /system/config).
  const unbindBackupSchedule = bindBackupSchedule(settings, backups.scheduler);
  const backupsDuty = createBackupsDuty({ db: handle.db, instanceId, ttlMs: config.alertsLeaseTtlMs, scheduler: backups.scheduler, log });

  let closed: Promise<void> | null = null;
  return {
    config,
    db: handle.db,
    dialect: handle.dialect,
    dbDisplay: handle.display,
    instanceId,
    cluster,
    log,
    startedAt,
    users: createUsersService({ users }),
    auth,
    oauth,
    sso: createSsoRuntime({ db: handle.db, guard: outbound, secrets, audit, users, tokens: createTokenService(config.secretKey, config.accessTokenExpireMinutes), publicUrl: config.publicUrl, apiPrefix: config.apiPrefix, localPasswords: () => settings.get('auth.local_passwords') }),
    logs,
    live,
    audit,
    secrets,
    analyzer,
    secretWatcher,
    servers,
    system,
    pipes,
    backups,
    storage,
    capture,
    alerts,
    logService,
    jobs,
    notify,
    alertsDuty,
    backupsDuty,
    gateway,
    monitors,
    close() {
      closed ??= (async () => {
        await monitors.stop();
        unbindBackupSchedule();
        await backupsDuty.stop();
        backups.scheduler.stop();
        await alerts.routing.stop();
        await backups.service.close();
        await secretWatcher.stop();
        system.close();
        // Running items go back to the queue before the services they use close.
        await jobs.close();
        await alertsDuty.stop();
        // Publications ride on gateway sessions, which ride on the servers' connections.
        await pipes.close();
        await gateway.close();
        // No Chromium process outlives the platform.
        await capture.close();
        await servers.close();
        await outbound.close();
        await sink?.close();
        await handle.close();
        if (!options.logger) await loggerHandle.close();
      })();
      return closed;
    },
  };
}

/** Passwords, access tokens and API keys; the password sign-in refused while `localPasswords()` is false (single sign-on only). */
function createPasswordAuth(
  config: Readonly<Config>,
  d: { db: Kysely<Database>; users: ReturnType<typeof createUserRepository>; log: Logger; audit: AuditLog; localPasswords: () => boolean },
): AuthService {
  return createAuthService({
    users: d.users,
    apiKeys: createApiKeyRepository(d.db),
    loginAttempts: createLoginAttemptRepository(d.db),
    tokens: createTokenService(config.secretKey, config.accessTokenExpireMinutes),
    maxFailures: config.loginMaxFailures,
    log: d.log,
    audit: d.audit,
    localPasswords: d.localPasswords,
  });
}

/** Health checks and monitors, with the platform's own health (database, Redis, servers, disk, backups). */
function createPlatformMonitors(
  config: Readonly<Config>,
  d: { db: Kysely<Database>; audit: AuditLog; log: Logger; instanceId: string; secrets: SecretsService; alerts: AlertsRuntime; servers: ServersRuntime },
): MonitorsRuntime {
  return createMonitorsRuntime({
    db: d.db,
    audit: d.audit,
    alertsWake: () => d.alerts.routing.wake(),
    checks: {
      resolveSecrets: (text) => d.secrets.resolve(text, { reason: 'monitor check' }),
      connectionOf: (name) => d.servers.supervisor.connection(name),
    },
    apiPrefix: config.apiPrefix,
    config: { rawRetentionHours: config.monitors.rawRetentionHours, maxMonitors: config.monitors.max, leaseTtlMs: config.monitors.leaseTtlMs },
    platform: {
      redisUrl: config.redisUrl,
      serverStates: () => d.servers.supervisor.list(),
      dataDir: config.dataDir,
      newestBackup: async () => (await createBackupStore(config.backupDir).list())[0]?.created_at ?? null,
      backupSchedule: config.backupSchedule,
      diskMinFreePercent: config.monitors.diskMinFreePercent,
      backupMaxAgeHours: config.monitors.backupMaxAgeHours,
      startedAt: Date.now(),
    },
    onError: (err) => d.log.error({ err }, 'a monitor check failed to record'),
    instanceId: d.instanceId,
  });
}
