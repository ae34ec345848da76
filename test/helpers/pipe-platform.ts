import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InMemoryTransport, McpServer } from '@modelcontextprotocol/server';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { buildApp } from '../../src/app.js';
import type { AppContext } from '../../src/context.js';
import type { OpenSession, OpenSessionOptions } from '../../src/pipe/gateway-session.js';
import { bootTestContext, loginHeaders } from './boot-context.js';
import { createTestDatabase, type TestDatabase } from './test-db.js';

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
  const { config, logger, ctx } = await bootTestContext(database.url, dir, { env: { ...FAST, ...env }, logLevel: 'debug', ...(openSession ? { openSession } : {}) });
  await ctx.pipes.boot();
  const app = await buildApp(ctx);
  await app.ready();
  return {
    app,
    ctx,
    dir,
    logFile: config.logFile,
    login: () => loginHeaders(app),
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
