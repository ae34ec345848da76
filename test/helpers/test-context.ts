import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { bootTestContext, loginHeaders } from './boot-context.js';

export interface TestContext {
  ctx: AppContext;
  config: Readonly<Config>;
  /** The working directory (DATA_DIR and LOG_DIR are `data/` and `logs/` in it). */
  dir: string;
  /** Builds the HTTP app on this context (once). */
  app(): Promise<FastifyInstance>;
  /** Logs in as the first admin on this context's app. */
  login(): Promise<{ authorization: string }>;
  /** Closes the app, the context (flushing the database log sink) and the log file; keeps `dir`. */
  close(): Promise<void>;
  /** close(), then removes `dir`. The database is the caller's. */
  dispose(): Promise<void>;
}

/**
 * A platform context on an existing test database, with its own environment: another instance sharing
 * the database (e.g. configured with a different master key). Creates the first admin if missing.
 */
export async function createTestContext(databaseUrl: string, env: Record<string, string> = {}, opts: { logLevel?: string } = {}): Promise<TestContext> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcps-ctx-'));
  const { config, logger, ctx } = await bootTestContext(databaseUrl, dir, { env, ...opts });
  let app: FastifyInstance | undefined;
  let closed: Promise<void> | undefined;
  const t: TestContext = {
    ctx,
    config,
    dir,
    async app() {
      if (!app) {
        app = await buildApp(ctx);
        await app.ready();
      }
      return app;
    },
    async login() {
      return loginHeaders(await t.app(), config.adminUsername);
    },
    close() {
      closed ??= (async () => {
        await app?.close();
        await ctx.close();
        await logger.close();
      })();
      return closed;
    },
    async dispose() {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}
