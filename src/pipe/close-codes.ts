/**
 * When the endpoint says "do not come back": retrying would only repeat the rejection (and may get
 * the token locked). Everything else (network errors, 1006, 1011, 5xx, restarts) is retried.
 */

/** Handshake answers that mean the endpoint refused us (bad or revoked token, wrong path). */
const FATAL_HTTP = new Map<number, string>([
  [401, 'the endpoint rejected the token (HTTP 401)'],
  [403, 'the endpoint refused access (HTTP 403)'],
]);

/** Close codes that mean the same after the connection opened. */
const FATAL_CLOSE = new Map<number, string>([
  [1008, 'policy violation'],
  [4001, 'unauthorized'],
  [4003, 'forbidden'],
  [4401, 'unauthorized'],
  [4403, 'forbidden'],
]);

export interface CloseVerdict {
  retry: boolean;
  /** Why we stop, for the log and the status (only when `retry` is false). */
  reason: string | null;
}

/** `ws` reports a refused handshake as `Unexpected server response: 401`. */
export function handshakeStatus(message: string): number | null {
  const m = /Unexpected server response: (\d{3})/.exec(message);
  return m ? Number(m[1]) : null;
}

export function closeVerdict(code: number, reason: string, handshakeHttpStatus: number | null): CloseVerdict {
  if (handshakeHttpStatus !== null && FATAL_HTTP.has(handshakeHttpStatus)) {
    return { retry: false, reason: FATAL_HTTP.get(handshakeHttpStatus)! };
  }
  const known = FATAL_CLOSE.get(code);
  if (known) return { retry: false, reason: `the endpoint closed the connection with code ${code} (${reason || known})` };
  return { retry: true, reason: null };
}
