/** The API root, from index.html (the platform writes its API_PREFIX there when it serves the page). */
export const API_PREFIX = document.querySelector<HTMLMetaElement>('meta[name="api-prefix"]')?.content ?? '/api/v1';

/** An API failure: `detail` is the problem+json detail (or a description of the network failure). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

let csrfToken: string | null = null;
let onUnauthorized: ((detail: string) => void) | null = null;

/** The session's CSRF token, sent on every unsafe request (the session cookie itself is HttpOnly). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** The CSRF token, for requests not made through `api()` (uploads with progress, see upload.ts). */
export function currentCsrfToken(): string | null {
  return csrfToken;
}

/** Called when a request that needed a session got 401 (the session ended or expired). */
export function onSessionLost(listener: ((detail: string) => void) | null): void {
  onUnauthorized = listener;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** A 401 is an answer (sign-in, session probe), not a lost session. */
  expectUnauthorized?: boolean;
}

/** Calls the REST API with the session cookie; throws ApiError with the problem+json `detail`. */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`${API_PREFIX}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    throw new ApiError(0, 'network', 'network');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const json = parse(text);
  if (!res.ok) {
    const detail = typeof json?.detail === 'string' ? json.detail : `${res.status} ${res.statusText}`;
    const code = typeof json?.code === 'string' ? json.code : String(res.status);
    if (res.status === 401 && !opts.expectUnauthorized) onUnauthorized?.(detail);
    throw new ApiError(res.status, code, detail);
  }
  return json as T;
}

export function parse(text: string): Record<string, unknown> | null {
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
