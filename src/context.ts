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
import { createAuditLog, type AuditLog } from './logs/audit-log.js';
import { createLogger, type Logger, type LoggerHandle } from './logs/logger.js';
import { createLogsRepository } from './logs/logs.repository.js';
import { createLogsService, type LogsService } from './logs/logs.service.js';
import { createSystemLogSink } from './logs/system-log-sink.js';

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
  /** Flushes buffered log rows, closes the database and the log file. Idempotent. */
  close(): Promise<void>;
}

export interface ContextOptions {
  /** Use this logger instead of creating one (tests pass a quiet one). */
  logger?: LoggerHandle;
  /** Apply pending migrations (default true; `mcps db status` opens without migrating). */
  migrate?: boolean;
  /** Store warn+ system log entries in the database (default true). */
  dbLogSink?: boolean;
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
    audit: createAuditLog({ logs: logsRepo, log }),
    close() {
      closed ??= (async () => {
        await sink?.close();
        await handle.close();
        if (!options.logger) await loggerHandle.close();
      })();
      return closed;
    },
  };
}
