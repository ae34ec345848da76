import type { OutboundGuard } from '../lib/outbound-guard.js';
import { type DeliveryOutcome, failed, retryAfterMs } from './delivery-outcome.js';

export interface SendContext {
  guard: Pick<OutboundGuard, 'fetch' | 'lookup'>;
  nowMs: number;
  timeoutMs: number;
}

export interface HttpAnswer {
  status: number;
  retryAfterMs: number | undefined;
  text: string;
  json: Record<string, unknown> | null;
}

/**
 * POSTs JSON through the outbound guard with a timeout. A timeout or a network error is a retryable
 * outcome; a guard refusal is not (the address will not become allowed by waiting).
 */
export async function postJson(ctx: SendContext, url: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer | DeliveryOutcome> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  try {
    const res = await ctx.guard.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body: payload,
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
    const text = (await res.text()).slice(0, 64 * 1024);
    let json: Record<string, unknown> | null;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = null;
    }
    return { status: res.status, retryAfterMs: retryAfterMs(res.headers.get('retry-after'), ctx.nowMs), text, json };
  } catch (err) {
    const e = err as { name?: string; code?: string; message?: string };
    if (e.code === 'forbidden' || e.code === 'bad_request' || e.code === 'bad_gateway') return failed(false, e.code, e.message ?? 'refused');
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return failed(true, 'timeout', `no answer within ${ctx.timeoutMs} ms`);
    return failed(true, 'network', e.message ?? 'network error');
  }
}

export function isAnswer(x: HttpAnswer | DeliveryOutcome): x is HttpAnswer {
  return 'status' in x;
}

/** The HTTP layer's verdict: 5xx, 429 and 408 are retried (429 after Retry-After), other 4xx are not. */
export function httpVerdict(a: HttpAnswer, vendorCode?: string | number | null, vendorError?: string): DeliveryOutcome | null {
  if (a.status >= 200 && a.status < 300) return null;
  const retry = a.status >= 500 || a.status === 429 || a.status === 408;
  return failed(retry, vendorCode ?? a.status, `HTTP ${a.status}${vendorError ? `: ${vendorError}` : a.text ? `: ${a.text.slice(0, 300)}` : ''}`, a.status === 429 ? a.retryAfterMs : undefined);
}
