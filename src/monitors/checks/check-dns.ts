import { lookup, Resolver } from 'node:dns/promises';
import type { z } from 'zod';
import { type CheckResult, DEFAULT_TIMEOUT_MS, type dnsCheck } from './check-spec.js';

/**
 * Resolves a name: ANY_ADDRESS as the system does (hosts file included, so `localhost` resolves),
 * other types by asking the configured DNS servers. An answer missing `expect` is down.
 */
export async function checkDns(spec: z.infer<typeof dnsCheck>): Promise<CheckResult> {
  const timeoutMs = spec.timeout_ms ?? DEFAULT_TIMEOUT_MS;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  try {
    const answer = await Promise.race([
      resolveName(resolver, spec.target, spec.record_type),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })), timeoutMs))),
    ]);
    const latency = Math.round((performance.now() - started) * 100) / 100;
    if (answer.length === 0) return { ok: false, latency_ms: latency, error: `'${spec.target}' has no ${spec.record_type} record`, details: {} };
    if (spec.expect !== undefined && !answer.some((a) => a.includes(spec.expect!)))
      return { ok: false, latency_ms: latency, error: `no ${spec.record_type} answer of '${spec.target}' contains '${spec.expect}' (got ${answer.slice(0, 5).join(', ')})`, details: { answer } };
    return { ok: true, latency_ms: latency, error: null, details: { answer } };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOTFOUND' || code === 'ENODATA' ? `'${spec.target}' does not resolve (${code})`
      : code === 'ETIMEOUT' || code === 'EAI_AGAIN' ? `DNS lookup of '${spec.target}' timed out after ${timeoutMs} ms`
      : `DNS lookup of '${spec.target}' failed: ${code ?? (err as Error).message}`;
    return { ok: false, latency_ms: null, error: why, details: {} };
  } finally {
    clearTimeout(timer);
    resolver.cancel();
  }
}

async function resolveName(resolver: Resolver, name: string, type: z.infer<typeof dnsCheck>['record_type']): Promise<string[]> {
  switch (type) {
    case 'ANY_ADDRESS': return (await lookup(name, { all: true })).map((a) => a.address);
    case 'A': return resolver.resolve4(name);
    case 'AAAA': return resolver.resolve6(name);
    case 'CNAME': return resolver.resolveCname(name);
    case 'NS': return resolver.resolveNs(name);
    case 'MX': return (await resolver.resolveMx(name)).map((m) => `${m.priority} ${m.exchange}`);
    case 'TXT': return (await resolver.resolveTxt(name)).map((t) => t.join(''));
  }
}
