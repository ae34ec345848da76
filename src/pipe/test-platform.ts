import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InMemoryTransport, McpServer } from '@modelcontextprotocol/server';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ADMIN_PASSWORD, LOOPBACK } from '../../test/helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { type AppContext, createContext } from '../context.js';
import { createLogger } from '../logs/logger.js';
import type { OpenSession, OpenSessionOptions } from './gateway-session.js';

/**
 * Test helpers for publications: a platform whose gateway is a stand-in with the exact shape of the
 * gateway's `openInProcessSession` — an SDK InMemoryTransport linked to a real SDK McpServer.
 */

export interface FakeGateway {
  openSession: OpenSession;
  /** Every session opened, with its options. */
  sessions: OpenSessionOptions[];
  /** Make the next sessions fail with this error (null: work again). */
  failWith: Error | null;
}

export function createFakeGateway(): FakeGateway {
  const gw: FakeGateway = {
    sessions: [],
    failWith: null,
    async openSession(opts) {
      if (gw.failWith) throw gw.failWith;
      gw.sessions.push(opts);
      const server = new McpServer({ name: opts.server ?? 'gateway', version: '1.0.0' }, { capabilities: { tools: {} } });
      server.registerTool('echo', { description: 'Echoes the message', inputSchema: z.object({ message: z.string() }) }, async ({ message }) => ({
        content: [{ type: 'text', text: message }],
      }));
      server.registerTool('whoami', { description: 'The session principal and caller' }, async () => ({
        content: [{ type: 'text', text: `${opts.principal.type}:${opts.principal.name} via ${opts.caller}` }],
      }));
      const [client, serverSide] = InMemoryTransport.createLinkedPair();
      await server.connect(serverSide);
      return client;
    },
  };
  return gw;
}

export interface TestPlatform {
  app: FastifyInstance;
  ctx: AppContext;
  dir: string;
  logFile: string;
  login(): Promise<{ authorization: string }>;
  /** Closes app and context; keeps the database and dir (for a restart). */
  close(): Promise<void>;
}

const FAST = { MCPS_PIPE_BACKOFF_BASE_MS: '200', MCPS_PIPE_BACKOFF_MAX_MS: '1000', MCPS_PIPE_PING_INTERVAL_MS: '1000', MCPS_PIPE_PONG_TIMEOUT_MS: '3000' };

/** A platform on `database` in `dir` (both kept across restarts), booted like `mcps serve` (publications restored). */
export async function startTestPlatform(database: TestDatabase, dir: string, openSession?: OpenSession, env: Record<string, string> = {}): Promise<TestPlatform> {
  const config = loadConfig(
    { ENVIRONMENT: 'test', DATABASE_URL: database.url, DATA_DIR: './data', LOG_DIR: './logs', MCPS_ADMIN_PASSWORD: ADMIN_PASSWORD, MCPS_LOGIN_MAX_PER_MINUTE: '1000', MCPS_OUTBOUND_ALLOW: LOOPBACK, ...FAST, ...env },
    { envFile: false, cwd: dir },
  );
  const logger = await createLogger({ level: 'debug', logFile: config.logFile, stdout: false });
  const ctx = await createContext(config, { logger, ...(openSession ? { openSession } : {}) });
  await ctx.users.ensureFirstAdmin(config.adminUsername, config.adminPassword);
  await ctx.pipes.boot();
  const app = await buildApp(ctx);
  await app.ready();
  return {
    app,
    ctx,
    dir,
    logFile: config.logFile,
    async login() {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
      return { authorization: `Bearer ${res.json<{ access_token: string }>().access_token}` };
    },
    async close() {
      await app.close();
      await ctx.close();
      await logger.close();
    },
  };
}

export async function createPlatformDir(kind?: 'sqlite' | 'postgres'): Promise<{ database: TestDatabase; dir: string; dispose(): Promise<void> }> {
  const database = await createTestDatabase(kind);
  const dir = mkdtempSync(path.join(tmpdir(), 'mcps-pub-'));
  return {
    database,
    dir,
    async dispose() {
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
