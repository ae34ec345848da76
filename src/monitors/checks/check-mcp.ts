import type { z } from 'zod';
import type { McpConnection } from '../../servers/connection/mcp-connection.js';
import { type CheckResult, DEFAULT_TIMEOUT_MS, type mcpCheck } from './check-spec.js';

/** A managed server: its live connection answers `ping` and `tools/list` (fresh, not the cache). */
export async function checkMcp(spec: z.infer<typeof mcpCheck>, connectionOf: (name: string) => Promise<McpConnection>): Promise<CheckResult> {
  const started = performance.now();
  const timeoutMs = spec.timeout_ms ?? DEFAULT_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  try {
    const work = (async () => {
      const conn = await connectionOf(spec.target);
      await conn.ping(timeoutMs);
      return conn.listTools({ refresh: true });
    })();
    const tools = await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)))]);
    return { ok: true, latency_ms: Math.round((performance.now() - started) * 100) / 100, error: null, details: { tools: tools.length } };
  } catch (err) {
    return { ok: false, latency_ms: null, error: `server '${spec.target}': ${(err as Error).message}`, details: {} };
  } finally {
    clearTimeout(timer);
  }
}
