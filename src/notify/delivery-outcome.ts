/** What one attempt to deliver came to: an expected failure is a value (the vendor said no). */
export type DeliveryOutcome =
  | { ok: true }
  | { ok: false; retry: boolean; retryAfterMs?: number; code: string | null; error: string };

export const delivered: DeliveryOutcome = { ok: true };

export function failed(retry: boolean, code: string | number | null, error: string, retryAfterMs?: number): DeliveryOutcome {
  return { ok: false, retry, code: code === null ? null : String(code), error: error.slice(0, 1000), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
