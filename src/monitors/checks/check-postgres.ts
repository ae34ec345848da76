import type { z } from 'zod';
import { importPg } from '../../db/pg-import.js';
import { type CheckResult, DEFAULT_TIMEOUT_MS, type postgresCheck } from './check-spec.js';
import { resolveTarget } from './target-guard.js';

/**
 * Connects (to the judged address of the host, DNS pinned) and runs `select 1`. `connection` is the
 * target with secret references already resolved; errors never echo it (it may hold a password).
 */
export async function checkPostgres(spec: z.infer<typeof postgresCheck>, connection: string): Promise<CheckResult> {
  let url: URL;
  try {
    url = new URL(connection);
  } catch {
    return fail('not a valid postgres:// connection string');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return fail(`scheme '${url.protocol}' is not postgres:`);
  const timeoutMs = spec.timeout_ms ?? DEFAULT_TIMEOUT_MS;
  const pg = await importPg();
  const started = performance.now();
  let host: string;
  try {
    host = await resolveTarget(url.hostname || '127.0.0.1');
  } catch (err) {
    return fail(describe(err, url.hostname));
  }
  const client = new pg.Client({
    host,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || 'postgres'),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)) || undefined,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    ...(url.searchParams.get('sslmode') === 'require' ? { ssl: { rejectUnauthorized: false, servername: url.hostname } } : {}),
  });
  client.on('error', () => {});
  try {
    await client.connect();
    const r = await client.query<{ one: number }>('select 1 as one');
    if (r.rows[0]?.one !== 1) return fail('select 1 did not answer 1');
    return { ok: true, latency_ms: Math.round((performance.now() - started) * 100) / 100, error: null, details: {} };
  } catch (err) {
    return fail(describe(err, url.hostname));
  } finally {
    await client.end().catch(() => {});
  }
}

function describe(err: unknown, host: string): string {
  const e = err as NodeJS.ErrnoException;
  if (e.constructor?.name === 'TargetRefused') return `refused: ${e.message}`;
  if (e.code === 'ECONNREFUSED') return `connection refused by ${host}`;
  if (e.code === 'ENOTFOUND') return `host name '${host}' does not resolve`;
  return `PostgreSQL: ${e.message}`;
}

function fail(error: string): CheckResult {
  return { ok: false, latency_ms: null, error, details: {} };
}
