import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import type { Principal } from '../auth/principal.js';
import { VERSION } from '../version.js';
import { buildLogServiceServer, LOG_SERVICE_NAME, type LogServiceDeps } from './build-server.js';

/**
 * The log service as a built-in server of the gateway: one in-process server per gateway session,
 * acting as that session's principal, reached through a connected SDK client over an in-memory link.
 * Closing the client closes the server.
 */
export function logServiceBuiltin(deps: LogServiceDeps) {
  return {
    name: LOG_SERVICE_NAME,
    async open(principal: Principal): Promise<Client> {
      const server = buildLogServiceServer(deps, principal);
      const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
      await server.connect(serverSide);
      const client = new Client({ name: 'mcps-gateway', version: VERSION });
      await client.connect(clientSide);
      return client;
    },
  };
}
