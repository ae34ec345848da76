import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { CONTROL_CHARACTERS } from '../../lib/outbound-guard.js';
import { type CheckResult, DEFAULT_TIMEOUT_MS, type httpCheck } from './check-spec.js';
import { guardedLookup, hostRefusal } from './target-guard.js';
import type { z } from 'zod';

const BODY_LIMIT = 1024 * 1024;
const DAY_MS = 86_400_000;

/**
 * An HTTP(S) request: the status (default 200-399), a keyword or a JSON path in the body (first MB),
 * the latency, and for https the days the server certificate has left. Redirects are not followed
 * (a 3xx is judged as a status). Every failure is a result, never a throw.
 */
export async function checkHttp(spec: z.infer<typeof httpCheck>, now: () => number = Date.now): Promise<CheckResult> {
  let url: URL;
  try {
    if (CONTROL_CHARACTERS.test(spec.target)) throw new Error('control characters');
    url = new URL(spec.target);
  } catch {
    return fail('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail(`URL scheme '${url.protocol}' is not allowed (http:, https:)`);
  if (url.username || url.password) return fail('credentials in a URL (user:password@) are not allowed: send them in a header');
  const refused = hostRefusal(url.hostname);
  if (refused) return fail(`refused: ${refused}`);

  const timeoutMs = spec.timeout_ms ?? DEFAULT_TIMEOUT_MS;
  const started = performance.now();
  const details: Record<string, unknown> = {};
  return new Promise<CheckResult>((resolve) => {
    let settled = false;
    const done = (r: CheckResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, {
      method: spec.method,
      headers: { 'user-agent': 'mcps-monitor', ...spec.headers },
      lookup: guardedLookup(),
      rejectUnauthorized: !spec.ignore_tls_errors,
      agent: false,
    });
    const timer = setTimeout(() => done(fail(`no answer within ${timeoutMs} ms`, details)), timeoutMs);
    req.on('socket', (socket) => {
      if (url.protocol !== 'https:') return;
      socket.once('secureConnect', () => {
        const cert = (socket as TLSSocket).getPeerCertificate();
        if (cert?.valid_to) {
          details['cert_expires_at'] = new Date(cert.valid_to).toISOString();
          details['cert_days_left'] = Math.floor((new Date(cert.valid_to).getTime() - now()) / DAY_MS);
        }
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => done(fail(describeError(err, url), details)));
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size >= BODY_LIMIT) return;
        chunks.push(c);
        size += c.length;
      });
      res.on('error', (err) => done(fail(describeError(err, url), details)));
      res.on('end', () => {
        const latency = round(performance.now() - started);
        details['status'] = res.statusCode;
        done(judge(spec, res.statusCode ?? 0, Buffer.concat(chunks).subarray(0, BODY_LIMIT).toString('utf8'), latency, details));
      });
    });
    req.end();
  });
}

function judge(spec: z.infer<typeof httpCheck>, status: number, body: string, latency: number, details: Record<string, unknown>): CheckResult {
  const bad = (error: string) => ({ ok: false, latency_ms: latency, error, details });
  const accepted = spec.expect_status ?? null;
  if (accepted ? !accepted.includes(status) : status < 200 || status > 399) return bad(`status ${status}${accepted ? ` (expected ${accepted.join(', ')})` : ''}`);
  if (spec.keyword && !body.includes(spec.keyword)) return bad(`keyword '${spec.keyword}' not found in the body`);
  if (spec.json_path) {
    const found = jsonPath(body, spec.json_path);
    if (!found.ok) return bad(found.error);
    details['json_value'] = found.value;
    if (spec.json_equals !== undefined && found.value !== spec.json_equals) return bad(`${spec.json_path} is '${found.value}', expected '${spec.json_equals}'`);
  }
  if (spec.max_latency_ms !== undefined && latency > spec.max_latency_ms) return bad(`answered in ${latency} ms, more than ${spec.max_latency_ms} ms`);
  const days = details['cert_days_left'];
  const minDays = spec.min_cert_days ?? 7;
  if (typeof days === 'number' && days < minDays) return bad(`the TLS certificate expires in ${days} days (fewer than ${minDays})`);
  return { ok: true, latency_ms: latency, error: null, details };
}

/** `$.a.b.0.c` or `a.b[0].c`: the value as text, or why it is absent. */
export function jsonPath(body: string, path: string): { ok: true; value: string } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, error: 'the body is not JSON' };
  }
  const parts = path.replace(/^\$\.?/, '').replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean);
  for (const p of parts) {
    if (value === null || typeof value !== 'object' || !(p in (value as object))) return { ok: false, error: `${path} not found in the JSON body` };
    value = (value as Record<string, unknown>)[p];
  }
  return { ok: true, value: typeof value === 'string' ? value : JSON.stringify(value) };
}

export function describeError(err: NodeJS.ErrnoException, url: URL): string {
  if (err.name === 'TargetRefused' || err.constructor.name === 'TargetRefused') return `refused: ${err.message}`;
  const host = url.host;
  switch (err.code) {
    case 'ECONNREFUSED': return `connection refused by ${host}`;
    case 'ENOTFOUND': return `host name '${url.hostname}' does not resolve`;
    case 'EAI_AGAIN': return `DNS lookup of '${url.hostname}' timed out or failed temporarily`;
    case 'ECONNRESET': return `${host} closed the connection`;
    case 'ETIMEDOUT': return `connection to ${host} timed out`;
    case 'EHOSTUNREACH': case 'ENETUNREACH': return `${host} is unreachable`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT': case 'SELF_SIGNED_CERT_IN_CHAIN': return `TLS: ${host} presented a self-signed certificate (set ignore_tls_errors to accept it)`;
    case 'CERT_HAS_EXPIRED': return `TLS: the certificate of ${host} has expired`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID': return `TLS: the certificate does not name ${url.hostname}`;
    default: return err.code ? `${err.code}: ${err.message}` : err.message;
  }
}

function fail(error: string, details: Record<string, unknown> = {}): CheckResult {
  return { ok: false, latency_ms: null, error, details };
}

const round = (ms: number) => Math.round(ms * 100) / 100;
