import { AppError } from '../http/app-error.js';
import { isServerError } from './server-errors.js';

/** JSON-RPC codes that mean the caller asked for something wrong (unknown tool, bad params). */
const CALLER_MISTAKES = new Set([-32602, -32601, -32600, -32002]);

/**
 * The REST face's mapper of upstream failures (the MCP face's is `gateway/mcp-errors.ts`): a
 * ServerError becomes the AppError that `http/error-handler.ts`, the one REST renderer, answers as
 * problem+json: not found 404, not running 409, timeout 504, start failed or connection closed
 * 502, an MCP error 400 when the caller's request was wrong, else 502. Anything else is returned
 * unchanged.
 */
function toAppError(err: unknown): unknown {
  if (!isServerError(err)) return err;
  const details = { server: err.server, server_error: err.code, ...(err.details ? safeDetails(err.details) : {}) };
  switch (err.code) {
    case 'SERVER_NOT_FOUND':
      return new AppError('not_found', err.message, details);
    case 'SERVER_NOT_RUNNING':
    case 'SERVER_STOPPED':
      return new AppError('conflict', err.message, details);
    case 'SERVER_TIMEOUT':
      return new AppError('gateway_timeout', err.message, details);
    case 'SERVER_CONFIG_INVALID':
      return new AppError('bad_request', err.message, details);
    case 'MCP_ERROR': {
      const rpc = err.details?.['rpcCode'];
      return new AppError(typeof rpc === 'number' && CALLER_MISTAKES.has(rpc) ? 'bad_request' : 'bad_gateway', err.message, details);
    }
    case 'SERVER_START_FAILED':
    case 'SERVER_CONNECTION_CLOSED':
      return new AppError('bad_gateway', err.message, details);
  }
}

/** Only small scalar facts (rpc code, state, exit); never an arbitrary `data` blob from the server. */
function safeDetails(d: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['rpcCode', 'state']) if (d[k] !== undefined) out[k === 'rpcCode' ? 'rpc_code' : k] = d[k];
  return out;
}

/** Runs `fn` for a REST route, translating ServerError into AppError. */
export async function mapServerErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toAppError(err);
  }
}
