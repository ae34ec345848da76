/**
 * The one error type of the servers domain, made from the SDK's failures in `sdk-errors.ts`.
 * `code` is stable; each face maps it once: REST in `server-error-map.ts` (the HTTP status in
 * parentheses), MCP in `gateway/mcp-errors.ts` (a JSON-RPC error).
 */
export type ServerErrorCode =
  /** No server registered under that name (404). */
  | 'SERVER_NOT_FOUND'
  /** The server is not running (stopped, backoff, fatal, stopping): nothing to call (409/503). */
  | 'SERVER_NOT_RUNNING'
  /** Spawn failed, the process exited during the handshake, or the handshake was refused (502). */
  | 'SERVER_START_FAILED'
  /** No answer within the timeout: initialize, a call, or a ping (504). */
  | 'SERVER_TIMEOUT'
  /** The server process died or the connection dropped while a request was pending (502). */
  | 'SERVER_CONNECTION_CLOSED'
  /** The server answered with a JSON-RPC error (e.g. unknown tool, invalid params) (400/502). */
  | 'MCP_ERROR'
  /** The configuration cannot work (missing command or URL, unsupported transport) (400). */
  | 'SERVER_CONFIG_INVALID'
  /** The operation was cancelled by a stop. */
  | 'SERVER_STOPPED';

export class ServerError extends Error {
  /** Small, non-secret facts: JSON-RPC error code and data, exit code, signal, state. */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    readonly code: ServerErrorCode,
    /** The server's name. */
    readonly server: string,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ServerError';
    this.details = options.details;
  }
}

export function isServerError(err: unknown, code?: ServerErrorCode): err is ServerError {
  return err instanceof ServerError && (code === undefined || err.code === code);
}
