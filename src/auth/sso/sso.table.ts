import type { Insertable, Selectable } from 'kysely';
import type { Role } from '../roles.js';

/** An external OpenID Connect provider people sign in with (migration 021-sso). */
export interface SsoProviderTable {
  id: string;
  /** Unique and never changed: it is part of the redirect URI registered at the provider. */
  name: string;
  display_name: string;
  issuer: string;
  client_id: string;
  /** A `${secret:NAME}` reference, resolved at the moment of use; null: a public client (PKCE only). */
  client_secret: string | null;
  /** Space-separated, `openid` among them. */
  scopes: string;
  /** The ID token claim that names a new user (`preferred_username`, `email`, `upn`...). */
  username_claim: string;
  /** The claim (a dotted path for nested ones) whose values `role_map` maps onto roles; null: none. */
  groups_claim: string | null;
  /** JSON `{"claim value": "role"}`. */
  role_map: string;
  /** The role of a user whose claims map to none. */
  default_role: Role;
  /** 1: a local user whose username is the provider's verified email (`email_verified`) is linked to it. */
  link_by_email: number;
  enabled: number;
  created_at: string;
  updated_at: string;
}

/** Which provider subject (`sub`) is which local user: the only way an identity reaches an account. */
export interface UserIdentityTable {
  provider_id: string;
  subject: string;
  user_id: string;
  email: string | null;
  created_at: string;
  last_login_at: string;
}

/** A sign-in under way: its state, nonce and PKCE verifier, used once and only before `expires_at`. */
export interface SsoLoginTable {
  state: string;
  provider_id: string;
  nonce: string;
  code_verifier: string;
  created_at: string;
  expires_at: string;
}

export type SsoProviderRow = Selectable<SsoProviderTable>;
export type NewSsoProviderRow = Insertable<SsoProviderTable>;
export type UserIdentityRow = Selectable<UserIdentityTable>;
export type SsoLoginRow = Selectable<SsoLoginTable>;
