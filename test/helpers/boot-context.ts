import { randomBytes, scryptSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { type Config, loadConfig } from '../../src/config.js';
import { type AppContext, type ContextOptions, createContext } from '../../src/context.js';
import { createLogger, type LoggerHandle } from '../../src/logs/logger.js';

export const ADMIN_PASSWORD = 'admin-password-for-tests';
/** Test servers and endpoints listen on loopback, which the outbound guard refuses unless allowed. */
export const LOOPBACK = '127.0.0.1,::1,localhost';

/**
 * A password hash at a low scrypt cost (N = 2^10), for the users the test helpers make (the first admin,
 * `TestApp.as()`): the tests log in as them some hundred times, and each check at the shipped cost
 * (N = 2^15) takes ~0.17 CPU-s. Same format (`scrypt$N$r$p$salt$hash`, whose parameters
 * verifyPassword reads), so a login takes the same path.
 */
export function cheapPasswordHash(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password.normalize('NFKC'), salt, 32, { N: 1024, r: 8, p: 1 });
  return ['scrypt', 1024, 8, 1, salt.toString('base64url'), hash.toString('base64url')].join('$');
}
const CHEAP_ADMIN_HASH = cheapPasswordHash(ADMIN_PASSWORD);

export interface BootedContext {
  config: Readonly<Config>;
  logger: LoggerHandle;
  ctx: AppContext;
}

export interface BootOptions {
  /** Environment over the test defaults. */
  env?: Record<string, string>;
  logLevel?: string;
  openSession?: ContextOptions['openSession'];
}

/**
 * What every test platform shares: the config (test defaults, DATA_DIR and LOG_DIR as `data/` and `logs/`
 * in `dir`), a logger writing only to the log file, the context on `databaseUrl`, and the first admin.
 */
export async function bootTestContext(databaseUrl: string, dir: string, opts: BootOptions = {}): Promise<BootedContext> {
  const config = loadConfig(
    { ENVIRONMENT: 'test', DATABASE_URL: databaseUrl, DATA_DIR: './data', LOG_DIR: './logs', MCPS_ADMIN_PASSWORD: ADMIN_PASSWORD, MCPS_LOGIN_MAX_PER_MINUTE: '1000', MCPS_OUTBOUND_ALLOW: LOOPBACK, ...opts.env },
    { envFile: false, cwd: dir },
  );
  const logger = await createLogger({ level: opts.logLevel ?? 'info', logFile: config.logFile, stdout: false });
  const ctx = await createContext(config, { logger, ...(opts.openSession ? { openSession: opts.openSession } : {}) });
  const first = await ctx.users.ensureFirstAdmin(config.adminUsername, config.adminPassword);
  if (first.created && config.adminPassword === ADMIN_PASSWORD) {
    await ctx.db.updateTable('users').set({ password_hash: CHEAP_ADMIN_HASH }).where('username', '=', config.adminUsername).execute();
  }
  return { config, logger, ctx };
}

/** Logs in through the API and returns `Authorization` headers. */
export async function loginHeaders(app: FastifyInstance, username = 'admin', password = ADMIN_PASSWORD): Promise<{ authorization: string }> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login as ${username} failed: ${res.statusCode} ${res.body}`);
  return { authorization: `Bearer ${res.json<{ access_token: string }>().access_token}` };
}
