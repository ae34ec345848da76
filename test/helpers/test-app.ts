import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { type AppContext, createContext } from '../../src/context.js';
import { createLogger } from '../../src/logs/logger.js';
import { createTestDatabase, type TestDatabase } from './test-db.js';

export const ADMIN_PASSWORD = 'admin-password-for-tests';
/** Test servers and endpoints listen on loopback, which the outbound guard refuses unless allowed. */
export const LOOPBACK = '127.0.0.1,::1,localhost';

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  config: Readonly<Config>;
  database: TestDatabase;
  dir: string;
  /** Logs in and returns `Authorization` headers. */
  login(username?: string, password?: string): Promise<{ authorization: string }>;
  /** Creates a user with the role and returns headers authenticated as that user. */
  as(role: 'admin' | 'operator' | 'viewer'): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

/**
 * A fully built app on its own database (SQLite file, or a PostgreSQL schema when TEST_DATABASE_URL
 * is set) with a first admin `admin` / ADMIN_PASSWORD. Requests go through app.inject().
 */
export async function createTestApp(env: Record<string, string> = {}, extend?: (app: FastifyInstance) => void): Promise<TestApp> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcps-app-'));
  const database = await createTestDatabase();
  const config = loadConfig(
    { ENVIRONMENT: 'test', DATABASE_URL: database.url, DATA_DIR: './data', LOG_DIR: './logs', MCPS_ADMIN_PASSWORD: ADMIN_PASSWORD, MCPS_LOGIN_MAX_PER_MINUTE: '1000', MCPS_OUTBOUND_ALLOW: LOOPBACK, ...env },
    { envFile: false, cwd: dir },
  );
  const logger = await createLogger({ level: 'info', logFile: config.logFile, stdout: false });
  const ctx = await createContext(config, { logger });
  await ctx.users.ensureFirstAdmin(config.adminUsername, config.adminPassword);
  const app = await buildApp(ctx);
  extend?.(app);
  await app.ready();

  let n = 0;
  const t: TestApp = {
    app,
    ctx,
    config,
    database,
    dir,
    async login(username = 'admin', password = ADMIN_PASSWORD) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
      if (res.statusCode !== 200) throw new Error(`login as ${username} failed: ${res.statusCode} ${res.body}`);
      return { authorization: `Bearer ${res.json<{ access_token: string }>().access_token}` };
    },
    async as(role) {
      const username = `${role}${++n}`;
      await ctx.users.create({ username, password: `${username}-password!`, role });
      return t.login(username, `${username}-password!`);
    },
    async close() {
      await app.close();
      await ctx.close();
      await logger.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}
