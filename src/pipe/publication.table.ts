import type { Insertable, Selectable, Updateable } from 'kysely';

/**
 * A publication: a managed server (`target = 'server'`) or the whole gateway (`'gateway'`) relayed
 * to a remote WebSocket endpoint. `endpoint` never holds a token in clear: its query string is a
 * `${secret:NAME}` reference (the secret `token_secret`, created at publish time) or references the
 * user wrote. `endpoint_display` is the redacted form shown everywhere. The principal is whose
 * rights the gateway session has: the publisher, or the API key of a gateway publication.
 */
export interface PublicationTable {
  id: string;
  target: 'server' | 'gateway';
  server_id: string | null;
  principal_type: 'user' | 'api_key';
  principal_id: string;
  endpoint: string;
  endpoint_display: string;
  /** The secret created for this publication's query string (deleted with it), or null. */
  token_secret: string | null;
  enabled: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export type PublicationRow = Selectable<PublicationTable>;
export type NewPublicationRow = Insertable<PublicationTable>;
export type PublicationUpdate = Updateable<PublicationTable>;
