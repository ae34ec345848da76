import { sql } from 'kysely';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import type { Kysely } from 'kysely';
import { currentSchemaVersion } from '../db/migrator.js';

const healthResponse = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptime_seconds: z.number(),
  database: z.object({ kind: z.enum(['sqlite', 'postgres']), reachable: z.boolean(), schema_version: z.string().nullable(), latency_ms: z.number().nullable() }),
  checks: z.array(z.object({
    name: z.string().describe('database, redis (when configured), servers, disk (DATA_DIR), backups (age of the newest)'),
    status: z.enum(['ok', 'warn', 'fail']),
    detail: z.string(),
    latency_ms: z.number().nullable(),
  })).optional().describe("The platform's own health as built-in monitors; any warn or fail makes the status degraded"),
});

export interface HealthDeps {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
  version: string;
  startedAt: number;
  /** The platform's built-in monitors (src/monitors/platform-health.ts). */
  platformChecks?: () => Promise<{ name: string; status: 'ok' | 'warn' | 'fail'; detail: string; latency_ms: number | null }[]>;
}

/**
 * `/api/v1/system/health`: readiness with database reachability (503 when unreachable) and the
 * platform's own checks (`degraded` when one warns or fails); public so load balancers can use it.
 */
export const systemHealthRoutes: FastifyPluginAsyncZod<HealthDeps> = async (app, deps) => {
  app.get('/system/health', {
    config: { auth: 'public' },
    schema: { tags: ['system'], summary: "Health: database reachable, version, uptime, and the platform's own checks (Redis, servers, disk, backups)", response: { 200: healthResponse, 503: healthResponse } },
  }, async (_req, reply) => {
    const started = performance.now();
    let reachable = true;
    let schemaVersion: string | null = null;
    try {
      await sql`select 1`.execute(deps.db);
      schemaVersion = await currentSchemaVersion(deps.db);
    } catch {
      reachable = false;
    }
    const checks = deps.platformChecks ? await deps.platformChecks() : undefined;
    const healthy = reachable && !checks?.some((c) => c.status !== 'ok');
    const body = {
      status: healthy ? ('ok' as const) : ('degraded' as const),
      version: deps.version,
      uptime_seconds: Math.round((Date.now() - deps.startedAt) / 1000),
      database: { kind: deps.dialect, reachable, schema_version: schemaVersion, latency_ms: reachable ? Math.round((performance.now() - started) * 100) / 100 : null },
      ...(checks ? { checks } : {}),
    };
    return reply.status(reachable ? 200 : 503).send(body);
  });
};
