import type { Kysely } from 'kysely';
import { createApiKeyRepository } from './auth/api-key.repository.js';
import { createAuthService, type AuthService } from './auth/auth.service.js';
import { createLoginAttemptRepository } from './auth/login-attempt.repository.js';
import { createTokenService } from './auth/tokens.js';
import { createUserRepository } from './auth/user.repository.js';
import { createUsersService, type UsersService } from './auth/users.service.js';
import type { Config } from './config.js';
import { connect, type Dialect } from './db/connect.js';
import type { Database } from './db/database.js';
import { migrateToLatest } from './db/migrator.js';
import { createGatewayService, type GatewayService } from './gateway/gateway.service.js';
import type { BuiltinServer } from './gateway/upstream-sources.js';
import { createAuditLog, type AuditLog } from './logs/audit-log.js';
import { createLogger, type Logger, type LoggerHandle } from './logs/logger.js';
import { createLogsRepository } from './logs/logs.repository.js';
import { createLogsService, type LogsService } from './logs/logs.service.js';
import { createSystemLogSink } from './logs/system-log-sink.js';
import { createSecretEvents } from './secrets/secret-events.js';
import { createSecretsService, type SecretsService } from './secrets/secrets.service.js';
import { createServersRuntime, type ServersRuntime } from './servers/servers-runtime.js';

/** Everything the app and the CLI need, built once from the config (the composition root). */
export interface AppContext {
  config: Readonly<Config>;
  db: Kysely<Database>;
  dialect: Dialect;
  dbDisplay: string;
  log: Logger;
  startedAt: number;
  auth: AuthService;
  users: UsersService;
  logs: LogsService;
  audit: AuditLog;
  /** Secrets; `secrets.events` tells users of a secret by reference that it changed. */
  secrets: SecretsService;
  /** Managed MCP servers: the service, the supervisor of their processes, the protocol recorder. */
  servers: ServersRuntime;
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
  /** Built-in in-process MCP servers the gateway aggregates like managed ones (e.g. the log service). */
  builtins?: BuiltinServer[];
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
  const logsRepo = createLogsRepository(handle.db);
  const sink = options.dbLogSink === false ? null : createSystemLogSink({ insert: (rows) => logsRepo.insertSystem(rows) });
  if (sink) loggerHandle.addStream({ level: 'info', stream: sink });
  const audit = createAuditLog({ logs: logsRepo, log });
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
  const servers = createServersRuntime({
    db: handle.db,
    log,
    audit,
    config,
    // `${secret:NAME}` in a server's env / headers / args / URL, resolved when it starts.
    resolveSecrets: (input) => secrets.resolveTracked(input, { reason: 'mcp server start' }),
    secretEvents: secrets.events,
    // Late-bound: the gateway (below) forwards servers' logging notifications to its sessions.
    onServerNotification: (server, notification) => gateway.onServerNotification(server, notification),
  });

  const gateway = createGatewayService({
    db: handle.db,
    supervisor: servers.supervisor,
    recorder: servers.recorder,
    log,
    config: config.gateway,
    builtins: options.builtins,
  });

  let closed: Promise<void> | null = null;
  return {
    config,
    db: handle.db,
    dialect: handle.dialect,
    dbDisplay: handle.display,
    log,
    startedAt: Date.now(),
    users: createUsersService({ users }),
    auth: createAuthService({
      users,
      apiKeys: createApiKeyRepository(handle.db),
      loginAttempts: createLoginAttemptRepository(handle.db),
      tokens: createTokenService(config.secretKey, config.accessTokenExpireMinutes),
      maxFailures: config.loginMaxFailures,
    }),
    logs: createLogsService({ logs: logsRepo }),
    audit,
    secrets,
    servers,
    gateway,
    close() {
      closed ??= (async () => {
        await gateway.close();
        await servers.close();
        await sink?.close();
        await handle.close();
        if (!options.logger) await loggerHandle.close();
      })();
      return closed;
    },
  };
}
