import { ProtocolError, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { ServerError } from '../server-errors.js';

/**
 * The one translation of the MCP SDK's failures (client side, towards an upstream server) into
 * ServerError, the servers domain's error. The faces map ServerError further: REST in
 * `server-error-map.ts`, MCP in `gateway/mcp-errors.ts`.
 */

/** Why the connection went away (the child's exit), when it did; `open` is false once it closed. */
export interface LinkState {
  open: boolean;
  closedWhy: string | null | undefined;
}

const closedDetail = (link: LinkState) => (link.closedWhy ? ` (${link.closedWhy})` : '');

/**
 * A failed request: a timeout (SERVER_TIMEOUT), a connection that closed while it was pending
 * (SERVER_CONNECTION_CLOSED), or the server's own JSON-RPC error (MCP_ERROR with `rpcCode` and
 * `data`). Anything else is returned unchanged.
 */
export function requestFailure(err: unknown, server: string, method: string, link: LinkState): unknown {
  if (err instanceof ServerError) return err;
  const closed = () =>
    new ServerError('SERVER_CONNECTION_CLOSED', server, `MCP server "${server}" closed the connection while ${method} was pending${closedDetail(link)}`, { cause: err });
  if (err instanceof SdkError) {
    if (err.code === SdkErrorCode.RequestTimeout) {
      return new ServerError('SERVER_TIMEOUT', server, `MCP server "${server}" did not answer ${method} in time`, { cause: err });
    }
    if (err.code === SdkErrorCode.ConnectionClosed || err.code === SdkErrorCode.NotConnected || err.code === SdkErrorCode.SendFailed) return closed();
  }
  if (err instanceof ProtocolError) {
    return new ServerError('MCP_ERROR', server, err.message, {
      cause: err,
      details: { rpcCode: err.code, ...(err.data === undefined ? {} : { data: err.data }) },
    });
  }
  if (!link.open || link.closedWhy) return closed();
  return err;
}

/** A request on a connection that is not open. */
export function notConnected(server: string, link: LinkState): ServerError {
  return new ServerError('SERVER_CONNECTION_CLOSED', server, `MCP server "${server}" is not connected${closedDetail(link)}`);
}

/**
 * A failed handshake: cancelled by a stop (SERVER_STOPPED), past its deadline (SERVER_TIMEOUT), or
 * refused or cut short (SERVER_START_FAILED, with why the connection closed when known).
 */
export function handshakeFailure(err: unknown, server: string, o: { cancelled: boolean; pastDeadline: boolean; timeoutMs: number; closedWhy: string | null | undefined }): ServerError {
  if (o.cancelled) return new ServerError('SERVER_STOPPED', server, `start of "${server}" was cancelled`, { cause: err });
  if (o.pastDeadline || (err instanceof SdkError && err.code === SdkErrorCode.RequestTimeout)) {
    return new ServerError('SERVER_TIMEOUT', server, `MCP server "${server}" did not complete the initialize handshake within ${o.timeoutMs} ms`, { cause: err });
  }
  const reason = o.closedWhy ? o.closedWhy : err instanceof Error ? err.message : String(err);
  return new ServerError('SERVER_START_FAILED', server, `MCP server "${server}" failed to start: ${reason}`, { cause: err });
}
