import type { Insertable, Selectable } from 'kysely';

/**
 * The pinned definition of one tool of one server (trust on first use). A later definition with
 * another hash puts the tool in quarantine until an admin approves it.
 */
export interface GatewayToolPinTable {
  server: string;
  tool: string;
  /** sha256 of the canonical definition (name, title, description, schemas, annotations). */
  hash: string;
  /** The approved definition, JSON. */
  definition: string;
  state: 'approved' | 'quarantined';
  /** The definition waiting for approval (quarantined tools), JSON, and its hash. */
  pending_hash: string | null;
  pending_definition: string | null;
  /** Why the tool is flagged or quarantined: JSON array of strings (e.g. "hidden_text", "changed"). */
  flags: string;
  first_seen_at: string;
  changed_at: string | null;
  approved_at: string | null;
  approved_by: string | null;
}

/** The gateway allowlists of one API key; no row means the key may use every server and tool. */
export interface GatewayKeyPolicyTable {
  api_key_id: string;
  /** JSON array of server names or globs; null = every server. */
  allowed_servers: string | null;
  /** JSON array of `server__tool` names or globs; null = every tool. */
  allowed_tools: string | null;
  updated_at: string;
}

export type GatewayToolPinRow = Selectable<GatewayToolPinTable>;
export type NewGatewayToolPinRow = Insertable<GatewayToolPinTable>;
export type GatewayKeyPolicyRow = Selectable<GatewayKeyPolicyTable>;
