import { ProtocolError, ProtocolErrorCode, SdkError } from '@modelcontextprotocol/server';
import { isServerError } from '../servers/server-errors.js';

/**
 * What a gateway client sees when an upstream fails: the upstream's own JSON-RPC error as is, or an
 * internal error naming the server and why (not running, died mid-call, timed out).
 */
export function toProtocolError(err: unknown, server: string): ProtocolError {
  if (err instanceof ProtocolError) return err;
  if (isServerError(err)) {
    if (err.code === 'MCP_ERROR' && typeof err.details?.['rpcCode'] === 'number') {
      return new ProtocolError(err.details['rpcCode'], err.message, err.details['data']);
    }
    return new ProtocolError(ProtocolErrorCode.InternalError, err.message, { server, reason: err.code });
  }
  if (err instanceof SdkError) return new ProtocolError(ProtocolErrorCode.InternalError, `MCP server "${server}": ${err.message}`, { server });
  return new ProtocolError(ProtocolErrorCode.InternalError, `MCP server "${server}" failed: ${(err as Error)?.message ?? String(err)}`, { server });
}

export function deniedError(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, message);
}
