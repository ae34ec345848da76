import type { Transport } from '@modelcontextprotocol/client';
import type { Principal } from '../auth/principal.js';

/**
 * What a publication needs from the MCP gateway: a Transport into a gateway MCP session with the
 * rights of `principal`, fronting one managed server unchanged (`server`, by name) or the aggregate
 * of every server the principal may use (no `server`). The gateway uses the server's supervised
 * connection (no second child) and records the traffic with `caller` (`pipe:<endpoint host>`).
 * The transport is returned unstarted; the pipe installs its callbacks, then calls `start()`.
 */
export interface OpenSessionOptions {
  principal: Principal;
  server?: string;
  caller: string;
}

export type OpenSession = (opts: OpenSessionOptions) => Promise<Transport>;
