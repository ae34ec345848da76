import { AppError, type ErrorCode } from '../http/app-error.js';
import type { BatchDetail, BatchView } from './jobs.schema.js';

const STATUS_CODES: Record<number, ErrorCode> = { 400: 'validation', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 422: 'unprocessable' };

/** The platform's /api/v1/jobs over HTTP, for the CLI. A problem+json answer becomes an AppError with its detail. */
export function createJobsClient(baseUrl: string, apiKey: string, apiPrefix = '/api/v1') {
  async function call<T>(method: 'GET' | 'POST', path: string, query: Record<string, unknown> = {}): Promise<T> {
    const url = new URL(`${baseUrl}${apiPrefix}${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    let res: Response;
    try {
      res = await fetch(url, { method, headers: { authorization: `Bearer ${apiKey}` }, signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      throw new AppError('unavailable', `cannot reach the platform at ${baseUrl}: ${(err as Error).message}`);
    }
    const body = (await res.json().catch(() => null)) as (T & { detail?: string }) | null;
    if (!res.ok) throw new AppError(STATUS_CODES[res.status] ?? 'bad_gateway', `${res.status}: ${body?.detail ?? res.statusText}`);
    return body as T;
  }
  return {
    list: (q: { limit: number; status?: string | undefined }) => call<{ items: BatchView[]; next_before: string | null }>('GET', '/jobs', q),
    get: (id: string, q: { limit: number; offset: number; status?: string | undefined }) => call<BatchDetail>('GET', `/jobs/${encodeURIComponent(id)}`, q),
    cancel: (id: string) => call<BatchView>('POST', `/jobs/${encodeURIComponent(id)}/cancel`),
  };
}
