import type { McpConnection } from '../../servers/connection/mcp-connection.js';
import { checkDns } from './check-dns.js';
import { checkHttp } from './check-http.js';
import { checkMcp } from './check-mcp.js';
import { checkPostgres } from './check-postgres.js';
import { checkRedis } from './check-redis.js';
import type { CheckResult, CheckSpec } from './check-spec.js';
import { checkTcp } from './check-tcp.js';

export interface CheckDeps {
  /** `${secret:NAME}` in a connection string, resolved at the moment of use. */
  resolveSecrets(text: string): Promise<string>;
  /** A managed server's live connection (the supervisor's). */
  connectionOf(name: string): Promise<McpConnection>;
  /** Push monitors: when the last push came in (ms), or null; and the allowed silence. */
  lastPush?: { at: number | null; silenceMs: number };
  now(): number;
}

/** Runs one check of any kind. Never throws: a failure is a result with its reason. */
export async function runCheck(spec: CheckSpec, deps: CheckDeps): Promise<CheckResult> {
  try {
    switch (spec.kind) {
      case 'http': return await checkHttp(spec, deps.now);
      case 'tcp': return await checkTcp(spec);
      case 'dns': return await checkDns(spec);
      case 'postgres': return await checkPostgres(spec, await deps.resolveSecrets(spec.target));
      case 'redis': return await checkRedis(spec, await deps.resolveSecrets(spec.target));
      case 'mcp': return await checkMcp(spec, deps.connectionOf);
      case 'push': return checkPush(deps);
    }
  } catch (err) {
    return { ok: false, latency_ms: null, error: (err as Error).message, details: {} };
  }
}

function checkPush(deps: CheckDeps): CheckResult {
  const push = deps.lastPush;
  if (!push) return { ok: false, latency_ms: null, error: 'a push monitor is checked by its pushes: run it as a monitor', details: {} };
  if (push.at === null) return { ok: false, latency_ms: null, error: 'no push received yet', details: {} };
  const silent = deps.now() - push.at;
  if (silent > push.silenceMs) return { ok: false, latency_ms: null, error: `no push for ${Math.round(silent / 1000)} s (expected every ${Math.round(push.silenceMs / 1000)} s)`, details: { last_push_at: new Date(push.at).toISOString() } };
  return { ok: true, latency_ms: null, error: null, details: { last_push_at: new Date(push.at).toISOString() } };
}
