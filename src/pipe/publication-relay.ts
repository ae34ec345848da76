import type { Logger } from 'pino';
import type { PipeTiming } from '../config.js';
import { AppError } from '../http/app-error.js';
import type { OutboundGuard } from '../lib/outbound-guard.js';
import { createSecretRedactor, type RedactableSecret } from '../secrets/secret-redaction.js';
import { findSecretReferences } from '../secrets/secret-reference.js';
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

export interface PublicationRelay extends PipeRelay {
  /** A secret changed: the endpoint is resolved afresh at the next connection if it references it. */
  secretChanged(name: string): void;
}

/**
 * Starts the pipe relay of one publication, each WebSocket session served by a gateway MCP session
 * with the publication's principal. The endpoint's secrets are resolved (and audited) once, and
 * again only after a secret it references changes: retries against an endpoint that stays refused
 * or unreachable do not add a `secret.resolve` row each. The outbound guard checks every connection.
 * `onRemoved`: the publication's row was found gone at a connection.
 */
export function startPublicationRelay(deps: PublicationRelayDeps, row: PublicationRow, onRemoved: () => void): PublicationRelay {
  let redactSecrets = (t: string) => t;
  const caller = `pipe:${endpointHost(row.endpoint_display)}`;
  const references = new Set(findSecretReferences(row.endpoint).map((r) => r.name));
  // A failed resolution is kept too (a missing secret stays missing until a secret event says otherwise).
  let resolving: ReturnType<ResolveEndpoint> | null = null;
  const relay = createPipeRelay({
    display: row.endpoint_display,
    async endpoint() {
      resolving ??= deps.resolveEndpoint(row.endpoint);
      const resolved = await resolving;
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
  return {
    ...relay,
    secretChanged(name) {
      if (references.has(name)) resolving = null;
    },
  };
}
