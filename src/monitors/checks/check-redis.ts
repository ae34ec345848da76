import type { z } from 'zod';
import { type CheckResult, DEFAULT_TIMEOUT_MS, type redisCheck } from './check-spec.js';
import { resolveTarget } from './target-guard.js';
import { cjsExports } from '../../lib/cjs-exports.js';

/** Connects (DNS pinned) and sends `PING`; anything but PONG is down. `connection` has secrets resolved. */
export async function checkRedis(spec: z.infer<typeof redisCheck>, connection: string): Promise<CheckResult> {
  let url: URL;
  try {
    url = new URL(connection);
  } catch {
    return fail('not a valid redis:// URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return fail(`scheme '${url.protocol}' is not redis: or rediss:`);
  const timeoutMs = spec.timeout_ms ?? DEFAULT_TIMEOUT_MS;
  // Loaded here, not at start: most installs never check a Redis.
  const { Redis } = cjsExports(await import('ioredis'), 'Redis');
  const started = performance.now();
  let host: string;
  try {
    host = await resolveTarget(url.hostname || '127.0.0.1');
  } catch (err) {
    const e = err as Error;
    return fail(e.constructor.name === 'TargetRefused' ? `refused: ${e.message}` : `host name '${url.hostname}' does not resolve`);
  }
  const client = new Redis({
    host,
    port: Number(url.port || 6379),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    db: Number(url.pathname.slice(1) || 0),
    ...(url.protocol === 'rediss:' ? { tls: { servername: url.hostname } } : {}),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let lastError: string | null = null;
  client.on('error', (err: NodeJS.ErrnoException) => (lastError = err.code === 'ECONNREFUSED' ? `connection refused by ${url.host}` : err.message));
  try {
    await client.connect();
    const pong = await client.ping();
    if (pong !== 'PONG') return fail(`PING answered '${pong}'`);
    return { ok: true, latency_ms: Math.round((performance.now() - started) * 100) / 100, error: null, details: {} };
  } catch (err) {
    return fail(`Redis: ${lastError ?? (err as Error).message}`);
  } finally {
    client.disconnect();
  }
}

function fail(error: string): CheckResult {
  return { ok: false, latency_ms: null, error, details: {} };
}
