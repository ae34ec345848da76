import { connect } from 'node:net';
import type { z } from 'zod';
import { type CheckResult, DEFAULT_TIMEOUT_MS, type tcpCheck } from './check-spec.js';
import { describeError } from './check-http.js';
import { guardedLookup, hostRefusal } from './target-guard.js';

/** `host:port` (IPv6 in brackets), or why not. */
export function parseHostPort(target: string): { host: string; port: number } | string {
  const m = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(target.trim());
  if (!m) return `'${target}' is not host:port`;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return `port ${port} is out of range`;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** A TCP connection that opens within the timeout is up. */
export function checkTcp(spec: z.infer<typeof tcpCheck>): Promise<CheckResult> {
  const parsed = parseHostPort(spec.target);
  if (typeof parsed === 'string') return Promise.resolve({ ok: false, latency_ms: null, error: parsed, details: {} });
  const refused = hostRefusal(parsed.host);
  if (refused) return Promise.resolve({ ok: false, latency_ms: null, error: `refused: ${refused}`, details: {} });
  const timeoutMs = spec.timeout_ms ?? DEFAULT_TIMEOUT_MS;
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host: parsed.host, port: parsed.port, lookup: guardedLookup() });
    const finish = (r: CheckResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, latency_ms: null, error: `no connection within ${timeoutMs} ms`, details: {} }), timeoutMs);
    socket.once('connect', () => finish({ ok: true, latency_ms: Math.round((performance.now() - started) * 100) / 100, error: null, details: { address: socket.remoteAddress } }));
    socket.once('error', (err: NodeJS.ErrnoException) => finish({ ok: false, latency_ms: null, error: describeError(err, new URL(`tcp://${spec.target}`)), details: {} }));
  });
}
