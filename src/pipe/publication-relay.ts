import type { Logger } from 'pino';
import type { PipeTiming } from '../config.js';
import { AppError } from '../http/app-error.js';
import type { OutboundGuard } from '../lib/outbound-guard.js';
import { createSecretRedactor, type RedactableSecret } from '../secrets/secret-redaction.js';
import type { ServersRepository } from '../servers/servers.repository.js';
import { endpointHost, parseEndpoint } from './endpoint-url.js';
import type { OpenSession } from './gateway-session.js';
import { pinoPipeLog } from './pipe-log.js';
import { createPipeRelay, type PipeRelay } from './pipe-relay.js';
import type { PublicationPrincipalResolver } from './publication-types.js';
import type { PublicationRow } from './publication.table.js';
import type { PublicationsRepository } from './publications.repository.js';

/** Resolves `${secret:...}` in a stored endpoint at the moment of connecting; returns the values used. */
export type ResolveEndpoint = (stored: string) => Promise<{ value: string; secrets: RedactableSecret[] }>;

export interface PublicationRelayDeps {
  repo: Pick<PublicationsRepository, 'findById'>;
  servers: Pick<ServersRepository, 'findByIdOrName'>;
  principals: PublicationPrincipalResolver;
  openSession: OpenSession;
  resolveEndpoint: ResolveEndpoint;
  log: Logger;
  timing: PipeTiming;
  /** The platform's outbound guard: endpoints at private addresses are refused unless allowed. */
  guard?: Pick<OutboundGuard, 'assertUrl' | 'lookup'> | undefined;
}

/**
 * Starts the pipe relay of one publication: the endpoint resolved (secrets, outbound guard) at each
 * connection, each WebSocket session served by a gateway MCP session with the publication's
 * principal. `onRemoved`: the publication's row was found gone at a connection.
 */
export function startPublicationRelay(deps: PublicationRelayDeps, row: PublicationRow, onRemoved: () => void): PipeRelay {
  let redactSecrets = (t: string) => t;
  const caller = `pipe:${endpointHost(row.endpoint_display)}`;
  const relay = createPipeRelay({
    display: row.endpoint_display,
    async endpoint() {
      const resolved = await deps.resolveEndpoint(row.endpoint);
      redactSecrets = createSecretRedactor(resolved.secrets);
      parseEndpoint(resolved.value);
      deps.guard?.assertUrl(resolved.value, ['ws:', 'wss:']);
      return resolved.value;
    },
    async open() {
      // Read afresh: the server may have been renamed or deleted, the principal disabled.
      const current = await deps.repo.findById(row.id);
      if (!current) {
        onRemoved();
        throw new AppError('not_found', 'the publication was removed');
      }
      const principal = await deps.principals.resolve(current.principal_type, current.principal_id);
      let server: string | undefined;
      if (current.target === 'server') {
        const s = current.server_id ? await deps.servers.findByIdOrName(current.server_id) : undefined;
        if (!s) throw new AppError('not_found', 'the published MCP server no longer exists');
        server = s.name;
      }
      return deps.openSession({ principal, caller, ...(server ? { server } : {}) });
    },
    log: pinoPipeLog(deps.log, { publication: row.id, endpoint: row.endpoint_display }),
    redact: (t) => redactSecrets(t),
    timing: deps.timing,
    ...(deps.guard ? { lookup: deps.guard.lookup } : {}),
  });
  relay.start();
  return relay;
}
