import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { bootTestContext, cheapPasswordHash, loginHeaders } from './boot-context.js';
import { createTestDatabase, type TestDatabase } from './test-db.js';

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
  const { config, logger, ctx } = await bootTestContext(database.url, dir, { env });
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
    login: (username, password) => loginHeaders(app, username, password),
    async as(role) {
      const username = `${role}${++n}`;
      const password = `${username}-password!`;
      const u = await ctx.users.create({ username, password, role });
      await ctx.db.updateTable('users').set({ password_hash: cheapPasswordHash(password) }).where('id', '=', u.id).execute();
      return t.login(username, password);
    },
    async close() {
      // A test app that listened may hold a keep-alive connection that the HTTP server does not see as
      // idle; its close would then wait out the 72 s keep-alive timeout (seen in full runs). Tests are done
      // with every connection here.
      app.server.closeAllConnections();
      await app.close();
      await ctx.close();
      await logger.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}
