import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { BrowserContext, Route } from 'playwright-core';
import type { fetch as undiciFetch } from 'undici';
import { AppError } from '../http/app-error.js';
import type { OutboundGuard } from '../lib/outbound-guard.js';
import { createOutboundPolicy } from '../lib/outbound-policy.js';
import type { CaptureHosts } from './capture-hosts.js';
import { cjsExports } from '../lib/cjs-exports.js';

const HTTP = ['http:', 'https:'];
const MAX_REDIRECTS = 10;
/** The largest response a capture's page may receive: each is held whole in the platform's memory before Chromium gets it. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** The policy with nothing allowed: an address it refuses is private, loopback, reserved or metadata. */
const STRICT = createOutboundPolicy([]);
/** Headers Chromium sends that a proxied request must not copy (hop-by-hop, or set by the connection). */
const DROP_REQUEST = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'content-length', 'proxy-connection', 'te', 'trailer', 'expect']);
/** The body is handed over decoded and whole. */
const DROP_RESPONSE = new Set(['content-encoding', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);

export interface RoutingOptions {
  guard: Pick<OutboundGuard, 'assertUrl' | 'lookup'>;
  /** Origins that may be on private or loopback addresses (the target, saved dashboards, the allowlist). */
  hosts: CaptureHosts;
  /** Sent with every request to this origin only (the dashboard's token, headers, cookies). */
  credentials: { origin: string; headers: Record<string, string> } | null;
  /** A larger response (page, script, image) is refused; default MAX_RESPONSE_BYTES. */
  maxResponseBytes?: number;
}

export interface RoutingState {
  /** Requests answered or failed: in flight now, and when the last one started or ended. */
  inflight: number;
  lastActivity: number;
  /** Sub-requests refused by the rules, with why. */
  blocked: { url: string; reason: string }[];
  /** Why a request's connection failed, by URL (the navigation's failure explains itself with it). */
  failures: Map<string, string>;
  close(): Promise<void>;
}

/**
 * Every request of the capture's browser context (navigations, redirects, sub-resources, fetches of
 * the page's scripts) goes through Node instead of Chromium's own network stack: the outbound guard's
 * checks (scheme, text, cloud metadata names and addresses, MCPS_OUTBOUND_ALLOW) and its DNS lookup,
 * pinned to the connection (no second resolution). On top, an origin that is not allowed for capture
 * may use public addresses only, so a page cannot reach a loopback canary on another port nor an
 * internal service. Redirects are followed here, each hop checked the same way.
 * WebSockets and service workers are refused; downloads and pop-ups are the caller's to refuse.
 */
export async function installGuardedRouting(context: BrowserContext, options: RoutingOptions): Promise<RoutingState> {
  const { guard, hosts } = options;
  const publicOnly: LookupFunction = (hostname, opts, callback) => {
    guard.lookup(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as unknown as LookupAddress[];
      const refused = list.map((a) => STRICT.refusal(a.address, hostname)).find((r) => r !== null);
      if (refused) return callback(new AppError('forbidden', `'${hostname}' refused: ${refused} (not an allowed capture host)`) as unknown as NodeJS.ErrnoException, '', 0);
      if (opts.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
  const maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  // Loaded here, not at start: only a capture uses it.
  const { Agent, fetch: undiciFetch } = cjsExports(await import('undici'), 'Agent');
  const allowedAgent = new Agent({ connect: { lookup: guard.lookup, timeout: 10_000 } });
  const publicAgent = new Agent({ connect: { lookup: publicOnly, timeout: 10_000 } });
  const state: RoutingState = {
    inflight: 0,
    lastActivity: Date.now(),
    blocked: [],
    failures: new Map(),
    close: async () => {
      await Promise.all([allowedAgent.destroy(), publicAgent.destroy()]);
    },
  };

  /** Why `url` may not be requested (checked on the text: no DNS yet), or null. */
  const refusal = (url: string): string | null => {
    try {
      const parsed = guard.assertUrl(url, HTTP);
      const host = parsed.hostname.replace(/^\[|\]$/g, '');
      if (!hosts.allows(parsed) && isIP(host)) {
        const why = STRICT.refusal(host, host);
        if (why) return `${why} (not an allowed capture host)`;
      }
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  };

  const handle = async (route: Route) => {
    const request = route.request();
    const url = request.url();
    const why = refusal(url);
    if (why) {
      state.blocked.push({ url, reason: why });
      state.failures.set(url, why);
      return route.abort('blockedbyclient').catch(() => {});
    }
    state.inflight++;
    state.lastActivity = Date.now();
    try {
      const sent: Record<string, string> = {};
      for (const [k, v] of Object.entries(request.headers())) if (!DROP_REQUEST.has(k.toLowerCase())) sent[k] = v;
      let target = new URL(url);
      let method = request.method();
      let body = method !== 'GET' && method !== 'HEAD' ? request.postDataBuffer() : null;
      let res: Awaited<ReturnType<typeof undiciFetch>>;
      // Redirects are followed here, hop by hop, each hop checked like the first: Chromium does not
      // ask again for a redirect it is handed, so handing it the 3xx would let the next hop escape.
      for (let hop = 0; ; hop++) {
        const headers = { ...sent, ...(options.credentials && target.origin === options.credentials.origin ? options.credentials.headers : {}) };
        res = await undiciFetch(target, { method, headers, ...(body ? { body } : {}), redirect: 'manual', dispatcher: hosts.allows(target) ? allowedAgent : publicAgent });
        const location = res.headers.get('location');
        if (res.status < 300 || res.status >= 400 || res.status === 304 || !location) break;
        await res.arrayBuffer().catch(() => {});
        if (hop >= MAX_REDIRECTS) throw new AppError('bad_gateway', `more than ${MAX_REDIRECTS} redirects`);
        const next = new URL(location, target).toString();
        const refused = refusal(next);
        if (refused) throw new AppError('forbidden', `redirect to ${next} refused: ${refused}`, { url: next });
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = null;
        }
        target = new URL(next);
      }
      const payload = await readCapped(res, maxBytes, target.toString());
      const out: Record<string, string> = {};
      res.headers.forEach((value, name) => {
        if (!DROP_RESPONSE.has(name) && name !== 'set-cookie') out[name] = value;
      });
      const cookies = res.headers.getSetCookie();
      if (cookies.length) out['set-cookie'] = cookies.join('\n');
      await route.fulfill({ status: res.status, headers: out, body: payload });
    } catch (err) {
      const cause = err instanceof AppError ? err : (err as { cause?: unknown }).cause;
      const reason = cause instanceof AppError ? cause.message : describeFailure(cause ?? err);
      if (cause instanceof AppError && cause.code === 'forbidden') state.blocked.push({ url: typeof cause.details?.['url'] === 'string' ? cause.details['url'] : url, reason });
      state.failures.set(url, reason);
      await route.abort(cause instanceof AppError ? 'blockedbyclient' : 'connectionfailed').catch(() => {});
    } finally {
      state.inflight--;
      state.lastActivity = Date.now();
    }
  };

  await Promise.all([
    context.route('**/*', handle),
    context.routeWebSocket(/.*/, (ws) => ws.close({ code: 1008, reason: 'WebSockets are not allowed during a capture' })),
  ]);
  return state;
}

function describeFailure(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ECONNREFUSED') return 'connection refused';
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return 'host name not resolved';
  if (e?.code === 'ETIMEOUT') return e.message ?? 'the DNS lookup timed out';
  if (e?.code === 'UND_ERR_CONNECT_TIMEOUT' || e?.code === 'ETIMEDOUT') return 'connection timed out';
  if (e?.code && /CERT|SSL|TLS/.test(e.code)) return `TLS error: ${e.message ?? 'handshake failed'} (${e.code})`;
  return e?.message ?? String(err);
}

/** The body, or a bad_gateway once it passes `max` bytes (announced or received): the rest is not read. */
async function readCapped(res: Awaited<ReturnType<typeof undiciFetch>>, max: number, url: string): Promise<Buffer> {
  const tooLarge = () => new AppError('bad_gateway', `the response to ${url} is larger than ${Math.round(max / 1048576)} MB (the capture limit)`);
  if (Number(res.headers.get('content-length') ?? 0) > max) {
    await res.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  if (!res.body) return Buffer.alloc(0);
  for await (const chunk of res.body) {
    size += chunk.byteLength;
    if (size > max) {
      await res.body.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks, size);
}
